#!/usr/bin/env bash
# The whole test suite: the web client's unit tests, every test on SQLite, then the
# tests the engine can change (not those marked `one_engine`) on PostgreSQL + Redis
# when they are reachable. GUILDHALL_REQUIRE_SCALEOUT=1 (set by CI) makes every
# missing piece a failure instead of a skip: PostgreSQL, Redis, npm, Chromium,
# redis-server, the web build, nginx (for `make deploy-check`, which runs under CI).
#
# Each suite runs on two pytest-xdist workers (TEST_WORKERS): most of a test's time
# is spent waiting on sockets, servers and the database, so two workers on two cores
# finish well ahead of one.
set -uo pipefail
BIN=${BIN:-.venv/bin}
WORKERS=${TEST_WORKERS:-2}
REQUIRED=${GUILDHALL_REQUIRE_SCALEOUT:-0}
status=0

fail_or_skip() {  # a missing tool: a failure under CI, a loud skip elsewhere
  if [ "$REQUIRED" = "1" ]; then echo "FAILED: $1" >&2; status=1; else echo "SKIPPED: $1"; fi
}

# Debian's Chromium (the browser tests drive it; never a downloaded browser),
# redis-server (the Redis-outage test runs a private one) and, under CI, nginx (the
# deploy check puts it in front of two nodes). Installed as root when missing,
# before the workers start, so no two of them race for apt's lock.
missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
if [ -n "${CI:-}" ] && ! command -v nginx >/dev/null 2>&1 && [ ! -x /usr/sbin/nginx ]; then
  missing+=(nginx)
fi
if [ ${#missing[@]} -gt 0 ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "== installing ${missing[*]} (Debian packages) =="
  export DEBIAN_FRONTEND=noninteractive
  { apt-get update -qq && apt-get install -y -qq "${missing[@]}"; } >/dev/null ||
    fail_or_skip "apt-get install ${missing[*]}"
fi

echo "== web client: unit tests (vitest) and build =="
if command -v npm >/dev/null 2>&1; then
  if [ ! -d web/node_modules ]; then (cd web && npm ci --no-audit --no-fund) || status=$?; fi
  (cd web && npm test --silent) || status=$?
  # Rebuilt when any source is newer than the build (the browser tests use it).
  make --no-print-directory src/guildhall/static/index.html || status=$?
else
  fail_or_skip "npm is not installed: no web client unit tests, no web build"
fi

# The tests' bytecode, for the reason of the Makefile's `bytecode` target (which
# `make test` ran for the dependencies and src/): each worker would compile them again.
"$BIN/python" -m compileall -q tests >/dev/null || status=$?

echo "== suite 1/2: embedded (SQLite, in-process bus) =="
"$BIN/python" -m pytest -n "$WORKERS" --durations=15 "$@" || status=$?

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

echo "== suite 2/2: scaled out (PostgreSQL + Redis; tests marked one_engine ran above) =="
if reachable; then
  GUILDHALL_TEST_BACKEND=postgres "$BIN/python" -m pytest -n "$WORKERS" --durations=15 "$@" || status=$?
else
  fail_or_skip "PostgreSQL (127.0.0.1:5432) or Redis (127.0.0.1:6379) unreachable: the scaled-out tests did not run"
fi

# The operations guide, followed end to end (docs/deploy/ as shipped). Under CI only:
# it starts nginx, moto and two nodes, which a developer's `make test` need not.
if [ -n "${CI:-}" ]; then
  echo "== deploy check: the operations guide on this machine (make deploy-check) =="
  if reachable; then
    "$BIN/python" scripts/deploy_check.py || status=$?
  else
    fail_or_skip "PostgreSQL or Redis unreachable: the deploy check did not run"
  fi
fi
exit $status
