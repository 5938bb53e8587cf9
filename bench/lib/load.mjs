// One load measurement, run as its own process so the load generator never shares an event loop
// (or a core's time slice bookkeeping) with the bench's orchestration. Input: one JSON argument;
// output: one JSON line on stdout.
import autocannon from 'autocannon';

const { url, duration, connections, cookie } = JSON.parse(process.argv[2]);
const result = await autocannon({
  url,
  connections,
  duration,
  pipelining: 1,
  headers: cookie ? { cookie } : {},
  // Servers on a busy two-core machine can stall; 10 s without an answer counts as an error.
  timeout: 10,
});
const completed = result['1xx'] + result['2xx'] + result['3xx'] + result['4xx'] + result['5xx'];
process.stdout.write(
  JSON.stringify({
    ok2xx: result['2xx'],
    completed,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    seconds: result.duration,
    rps: result['2xx'] / result.duration,
    p50: result.latency.p50,
    p99: result.latency.p99,
    statusCodes: result.statusCodeStats,
  }) + '\n',
);
