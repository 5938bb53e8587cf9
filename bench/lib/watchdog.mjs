// Preloaded (NODE_OPTIONS=--import) into every process the bench starts: if the bench itself dies
// without cleaning up (SIGKILL, a crash), its servers must not linger on the machine. Once a
// second each process checks that the bench's PID is still alive and that its own parent has not
// changed (an orphan is re-parented at once, while a killed bench can linger as a zombie that
// still answers kill(pid, 0)), and exits otherwise.
const bench = Number(process.env.BENCH_PARENT_PID);
const parent = process.ppid;
if (Number.isInteger(bench) && bench > 0) {
  setInterval(() => {
    let alive = process.ppid === parent;
    try {
      process.kill(bench, 0);
    } catch {
      alive = false;
    }
    if (!alive) process.exit(0);
  }, 1_000).unref();
}
