#!/usr/bin/env bash
# The whole test suite: SQLite (always), then the same tests on PostgreSQL + Redis
# when they are reachable. GUILDHALL_REQUIRE_SCALEOUT=1 (set by CI) makes their
# absence a failure instead of a skip.
set -uo pipefail
BIN=${BIN:-.venv/bin}
PG_HOST=${PG_HOST:-127.0.0.1}
status=0

echo "== web client unit tests (vitest) =="
if command -v npm >/dev/null 2>&1; then
  if [ ! -d web/node_modules ]; then (cd web && npm ci --no-audit --no-fund) || status=$?; fi
  (cd web && npm test --silent) || status=$?
else
  echo "SKIPPED web client unit tests: npm is not installed (the browser tests build nothing either)"
fi

echo "== suite 1/2: embedded (SQLite, in-process bus) =="
"$BIN/python" -m pytest "$@" || status=$?

reachable() {
  "$BIN/python" - <<'PY'
import socket, sys
for port in (5432, 6379):
    try:
        socket.create_connection(("127.0.0.1", port), timeout=2).close()
    except OSError:
        sys.exit(1)
PY
}

echo "== suite 2/2: scaled out (PostgreSQL + Redis) =="
if reachable; then
  GUILDHALL_TEST_BACKEND=postgres "$BIN/python" -m pytest "$@" || status=$?
elif [ "${GUILDHALL_REQUIRE_SCALEOUT:-0}" = "1" ]; then
  echo "FAILED: PostgreSQL (127.0.0.1:5432) or Redis (127.0.0.1:6379) unreachable" >&2
  status=1
else
  echo "SKIPPED suite 2/2: PostgreSQL (127.0.0.1:5432) and Redis (127.0.0.1:6379) not reachable;"
  echo "        the scaled-out tests did not run (CI runs them)."
fi
exit $status
