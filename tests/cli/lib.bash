# Shared helpers for the CLI tests: sourced, not run. Each test gets
# GB (the executable), BUILD and SRC, a scratch directory T, and fail/pass.
GB=$1
BUILD=$2
SRC=$3
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
failures=0
checks=0
skipped=0

fail() { echo "not ok - $*"; failures=$((failures + 1)); checks=$((checks + 1)); }
pass() { echo "ok - $*"; checks=$((checks + 1)); }
# skip NAME WHY: a check this machine cannot make; reported as skipped, not passed.
skip() { echo "ok - $1 # SKIP $2"; skipped=$((skipped + 1)); }
check() { # check NAME COMMAND...: passes when the command succeeds
  local name=$1; shift
  if "$@"; then pass "$name"; else fail "$name"; fi
}
finish() {
  echo "$((checks - failures)) passed, $failures failed, $skipped skipped"
  [ "$failures" -eq 0 ] || return 1
  # Nothing checked and something skipped: ctest reports the test as skipped (77).
  if [ "$checks" -eq 0 ] && [ "$skipped" -gt 0 ]; then return 77; fi
}
