# Sourced by the Redis service scripts in scripts/services/ (kept outside that folder, which
# scripts/services.sh runs file by file).

# ping PORT: whether a Redis server answers on 127.0.0.1:PORT.
ping() { redis-cli -h 127.0.0.1 -p "$1" ping 2>/dev/null | grep -q PONG; }

# wait_for SECONDS COMMAND...: retry COMMAND every 0.25 s until it succeeds or time runs out.
wait_for() {
  local tries=$(($1 * 4))
  shift
  for _ in $(seq 1 "$tries"); do
    "$@" && return 0
    sleep 0.25
  done
  return 1
}
