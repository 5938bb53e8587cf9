#!/usr/bin/env bash
# FerretDB (a MongoDB wire-protocol server on SQLite) for the mongodb store tests, on
# 127.0.0.1:27017: no MongoDB server is packaged for this machine. Idempotent: if something
# already answers on the port it is left alone.
#
# The binary: $(go env GOPATH)/bin/ferretdb when it runs, else a build cached per user. A plain
# `go install ...@v1.24.2` binary panics at start because build/version/version.txt is generated
# at release time and missing from the module, so we build from a copy of the module with it.
set -euo pipefail

version=v1.24.2
port=27017
repo="$(cd "$(dirname "$0")/../.." && pwd)"
dir="$repo/.servers/ferretdb"
cache="${XDG_CACHE_HOME:-$HOME/.cache}/session-layer/ferretdb-$version"

answers() { (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; }
runs() { [ -x "$1" ] && "$1" --version >/dev/null 2>&1; }

if answers; then
  echo "[ferretdb] already answering on 127.0.0.1:$port"
  exit 0
fi

bin="$(go env GOPATH)/bin/ferretdb"
if ! runs "$bin"; then
  bin="$cache/ferretdb"
  if ! runs "$bin"; then
    echo "[ferretdb] building FerretDB $version from the Go module proxy (a few minutes the first time)"
    src="$(GOTOOLCHAIN=local go mod download -json "github.com/FerretDB/FerretDB@$version" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')"
    [ -d "$src" ] || { echo "[ferretdb] go mod download gave no source folder" >&2; exit 1; }
    work="$(mktemp -d)"
    trap 'rm -rf "$work"' EXIT
    cp -r "$src" "$work/src"
    chmod -R u+w "$work/src"
    echo "$version" >"$work/src/build/version/version.txt"
    mkdir -p "$cache"
    (cd "$work/src" && GOTOOLCHAIN=local go build -v -o "$cache/ferretdb" ./cmd/ferretdb 2>&1 | sed 's/^/[ferretdb] build: /')
    runs "$bin" || { echo "[ferretdb] the build does not run" >&2; exit 1; }
  fi
fi
echo "[ferretdb] $("$bin" --version | head -n1) from $bin"

mkdir -p "$dir/data"
# setsid: the server outlives the shell that started it (and its process group).
# --debug-addr=127.0.0.1:0 takes any free port for the metrics endpoint, so it never collides.
setsid nohup "$bin" --handler=sqlite --sqlite-url="file:$dir/data/" --listen-addr="127.0.0.1:$port" \
  --state-dir="$dir" --telemetry=disable --debug-addr=127.0.0.1:0 --log-level=WARN \
  >>"$dir/ferretdb.log" 2>&1 </dev/null &
echo $! >"$dir/ferretdb.pid"

for _ in $(seq 1 60); do
  answers && break
  kill -0 "$(cat "$dir/ferretdb.pid")" 2>/dev/null || { echo "[ferretdb] exited; see $dir/ferretdb.log" >&2; tail -n 20 "$dir/ferretdb.log" >&2; exit 1; }
  sleep 0.5
done
answers || { echo "[ferretdb] did not answer within 30 s; see $dir/ferretdb.log" >&2; exit 1; }
echo "[ferretdb] ready on 127.0.0.1:$port (pid $(cat "$dir/ferretdb.pid"), data in $dir)"
