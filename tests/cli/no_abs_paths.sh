#!/usr/bin/env bash
# No tracked file names a path of the machine that built or ran something:
# the source tree, the build tree, the home directory, or a scratch
# directory of a past session (result files and fuzz corpora record the
# command that made them, so they are where such paths creep in).
. "$(dirname "$0")/lib.bash"

if ! git -C "$SRC" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  skip "absolute paths in tracked files" "the source tree is not a git checkout"
  finish
  exit
fi
src_abs=$(cd "$SRC" && pwd -P)
build_abs=$(cd "$BUILD" && pwd -P)
# Inputs of the command-line fuzzer are command lines on purpose: their
# /tmp paths are what a user types, not where a file was made.
list=$(git -C "$SRC" ls-files | grep -v '^tests/fuzz/corpus/cli/\|^tests/fuzz/regress/cli/\|^tests/cli/no_abs_paths.sh$')
hits() { (cd "$SRC" && printf '%s\n' "$list" | tr '\n' '\0' | xargs -0 grep -lF -e "$1" -- 2>/dev/null); }
homes=(); [ "${#HOME}" -gt 1 ] && homes=("$HOME/")
for p in "$src_abs/" "$build_abs/" "${homes[@]}" "/work/wt/" "/work/shared/"; do
  found=$(hits "$p")
  check "no tracked file names $p" [ -z "$found" ]
  [ -n "$found" ] && echo "# $found"
done
# A result file's recorded command names its output relative to where it ran.
found=$(cd "$SRC" && printf '%s\n' "$list" | grep '\.json$' | tr '\n' '\0' |
  xargs -0 grep -l '"command": *"[^"]* -o /' -- 2>/dev/null)
check "no committed result file records an absolute -o path" [ -z "$found" ]
[ -n "$found" ] && echo "# $found"
finish
