# Shared helpers for the CLI tests: sourced, not run. Each test gets
# GB (the executable), BUILD and SRC, a scratch directory T, and fail/pass.
GB=$1
BUILD=$2
SRC=$3
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
failures=0
checks=0

fail() { echo "not ok - $*"; failures=$((failures + 1)); checks=$((checks + 1)); }
pass() { echo "ok - $*"; checks=$((checks + 1)); }
check() { # check NAME COMMAND...: passes when the command succeeds
  local name=$1; shift
  if "$@"; then pass "$name"; else fail "$name"; fi
}
finish() {
  echo "$((checks - failures)) passed, $failures failed"
  [ "$failures" -eq 0 ]
}
