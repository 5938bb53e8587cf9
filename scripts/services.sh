#!/usr/bin/env bash
# Ensures every server the tests need runs on 127.0.0.1. Idempotent: a running server is left
# alone. Each backend has its own script in scripts/services/ (install if missing, start, wait
# until it answers). Usage: bash scripts/services.sh [name ...]   (default: all)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
names=("$@")
if [ ${#names[@]} -eq 0 ]; then
  for script in "$here"/services/*.sh; do [ -e "$script" ] && names+=("$(basename "$script" .sh)"); done
fi
failed=()
for name in "${names[@]}"; do
  echo "[services] $name"
  bash "$here/services/$name.sh" || failed+=("$name")
done
if [ ${#failed[@]} -gt 0 ]; then
  echo "[services] could not start: ${failed[*]}" >&2
  # Under CI a missing server is a failure; locally the tests that need it skip loudly.
  [ -n "${CI:-}" ] && exit 1
fi
exit 0
