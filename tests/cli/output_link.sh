#!/usr/bin/env bash
# An output that is a symbolic link is written through: its target gets the
# results and the link stays a link; the temporary beside it never outlives
# the write.
. "$(dirname "$0")/lib.bash"

mkdir "$T/real" "$T/links"
echo '{"old": true}' >"$T/real/target.json"
ln -s "$T/real/target.json" "$T/links/out.json"
"$GB" run -m serial -w seed -r 1 --warmup 0 -q -o "$T/links/out.json" 2>"$T/err"; rc=$?
check "run -o SYMLINK: exit 0 (got $rc)" [ "$rc" -eq 0 ]
check "run -o SYMLINK: the link is still a link" test -L "$T/links/out.json"
check "run -o SYMLINK: its target holds the results" \
  /usr/bin/python3 -c "import json,sys; sys.exit(not json.load(open('$T/real/target.json'))['results'])"
check "no temporary left beside the link or the target" \
  eval '[ "$(ls -A "$T/links")" = out.json ] && [ "$(ls -A "$T/real")" = target.json ]'
finish
