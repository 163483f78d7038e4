# Golden JSON: for each tests/golden/run-*/, `gilbench run $(cat args)` must
# produce a file whose skeleton (tests/golden/skeleton.py: identity exact,
# measured numbers reduced to their type) equals expected.json.
# GB_UPDATE_GOLDEN=1 rewrites expected.json instead of comparing.
. "$(dirname "$0")/lib.bash"

for dir in "$SRC"/tests/golden/run-*/; do
  name=$(basename "$dir")
  # shellcheck disable=SC2046
  "$GB" run $(cat "$dir/args") -q -o "$T/$name.json" || { fail "$name: run failed"; continue; }
  /usr/bin/python3 "$SRC/tests/golden/skeleton.py" "$T/$name.json" >"$T/$name.skel"
  if [ -n "${GB_UPDATE_GOLDEN:-}" ]; then
    cp "$T/$name.skel" "$dir/expected.json"
    pass "$name: updated"
  elif diff -u "$dir/expected.json" "$T/$name.skel"; then
    pass "$name"
  else
    fail "$name: skeleton differs from expected.json"
  fi
done
finish
