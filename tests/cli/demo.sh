# `gilbench demo MODEL` prints the lecture's lines in Python's order.
. "$(dirname "$0")/lib.bash"

expect_demo() { # expect_demo MODEL LINE...
  local model=$1; shift
  "$GB" demo "$model" >"$T/demo" 2>"$T/err" || { fail "demo $model exits 0: $(cat "$T/err")"; return; }
  printf '%s\n' "$@" >"$T/want"
  if head -n "$#" "$T/demo" | diff -u "$T/want" - >/dev/null && tail -n 1 "$T/demo" | grep -q "^($model: [0-9.]* s)$"; then
    pass "demo $model"
  else
    fail "demo $model printed:"; cat "$T/demo"
  fi
}

for m in $("$GB" list --json | /usr/bin/python3 -c "import json,sys; print(' '.join(m['name'] for m in json.load(sys.stdin)['models']))"); do
  case $m in
  serial) expect_demo serial "hello bob" "hello alice" "bob done!" "alice done!" ;;
  threads|processes) expect_demo "$m" "hello alice" "hello bob" "alice done!" "bob done!" ;;
  greenlets|asyncio) expect_demo "$m" "hello alice" "hello bob" "bob done!" "alice done!" ;;
  callbacks) expect_demo "$m" "hello alice" "alice done!" "hello bob" "bob done!" ;;
  *) fail "no expected demo output for model $m" ;;
  esac
done
finish
