# Every bad input: one line on stderr naming the problem, exit status 1,
# and no output file left behind.
. "$(dirname "$0")/lib.bash"

expect_bad() { # expect_bad NAME PATTERN ARGS...
  local name=$1 pattern=$2; shift 2
  rm -f "$T/out.json"
  "$GB" "$@" >"$T/stdout" 2>"$T/stderr"
  local rc=$? lines
  lines=$(wc -l <"$T/stderr")
  if [ "$rc" -ne 1 ]; then fail "$name: exit $rc, want 1"; return; fi
  if [ "$lines" -ne 1 ]; then fail "$name: $lines lines on stderr, want 1"; cat "$T/stderr"; return; fi
  if ! grep -q -- "$pattern" "$T/stderr"; then fail "$name: stderr lacks '$pattern': $(cat "$T/stderr")"; return; fi
  if [ -e "$T/out.json" ]; then fail "$name: left an output file"; return; fi
  if ls "$T"/.out.json.?????? >/dev/null 2>&1; then fail "$name: left a temp file"; return; fi
  pass "$name"
}

o=(-o "$T/out.json" -r 1 --warmup 0 -q)
expect_bad "unknown subcommand" "gilbench: frobnicate: unknown command" frobnicate
expect_bad "unknown model" "unknown model 'nosuch'" run -m nosuch "${o[@]}"
expect_bad "unknown workload" "unknown workload 'nosuch'" run -w nosuch "${o[@]}"
expect_bad "unknown gil" "unknown GIL policy 'nosuch'" run --gil nosuch "${o[@]}"
expect_bad "-t 0" "'0' is not a task count" run -t 0 "${o[@]}"
expect_bad "-t -1" "'-1' is not a task count" run -t -1 "${o[@]}"
expect_bad "-t abc" "'abc' is not a task count" run -t abc "${o[@]}"
expect_bad "--switch-interval -1" "'-1' is not a time" run --switch-interval -1 "${o[@]}"
expect_bad "--native-fraction 2" "'2' is not a fraction" run --native-fraction 2 "${o[@]}"
expect_bad "--cpus 99" "CPU 99 does not exist" run --cpus 99 "${o[@]}"
expect_bad "--cpus junk" "not a CPU list" run --cpus x1 "${o[@]}"
expect_bad "-o in a missing dir" "/nonexistent/dir" run -m serial -w seed -o /nonexistent/dir/x.json
expect_bad "--plugin /etc/passwd" "cannot load" run --plugin /etc/passwd "${o[@]}"
expect_bad "--plugin wrong ABI" "ABI" run --plugin "$BUILD/tests/plugin_badabi.so" "${o[@]}"
expect_bad "--plugin missing" "cannot load" run --plugin "$T/none.so" "${o[@]}"
expect_bad "unknown option" "unknown option '--frob'" run --frob "${o[@]}"
expect_bad "missing value" "needs a value" run -o
expect_bad "--format junk" "unknown format 'junk'" run --format junk "${o[@]}"
expect_bad "--stack-size junk" "is not a size" run --stack-size 12q "${o[@]}"
expect_bad "--reps 0" "'0' is not a repetition count" run -r 0 -o "$T/out.json"
expect_bad "--timeout 0" "'0' is not a time" run --timeout 0 "${o[@]}"
expect_bad "demo unknown model" "unknown model 'nosuch'" demo nosuch
# "did you mean", in the same one-line format
expect_bad "model: did you mean" "^gilbench: -m: unknown model 'thraeds' (did you mean 'threads'?)\$" \
  run -m thraeds "${o[@]}"
expect_bad "workload: did you mean" "^gilbench: -w: unknown workload 'sede' (did you mean 'seed'?)\$" \
  run -w sede "${o[@]}"
expect_bad "workload far from any: the list" "unknown workload 'nosuch' (seed, cpu, io, background)" \
  run -w nosuch "${o[@]}"
expect_bad "GIL policy: did you mean" "^gilbench: --gil: unknown GIL policy 'legcy' (did you mean 'legacy'?)\$" \
  run --gil new,legcy "${o[@]}"
expect_bad "run option: did you mean" "^gilbench: run: unknown option '--swich-interval' (did you mean '--switch-interval'?)\$" \
  run --swich-interval 0.001 "${o[@]}"
expect_bad "run option=value: did you mean" "unknown option '--taks=2' (did you mean '--tasks'?)" \
  run --taks=2 "${o[@]}"
expect_bad "list option: did you mean" "^gilbench: list: unknown option '--jsn' (did you mean '--json'?)\$" list --jsn
expect_bad "show option: did you mean" "^gilbench: show: unknown option '--formt' (did you mean '--format'?)\$" \
  show --formt json x.json
expect_bad "micro option: did you mean" "^gilbench: micro: unknown option '--filtr' (did you mean '--filter'?)\$" \
  micro --filtr gil
expect_bad "compare option: did you mean" "^gilbench: compare: unknown option '--treshold' (did you mean '--threshold'?)\$" \
  compare --treshold 5 a.json b.json
expect_bad "fidelity option: did you mean" "^gilbench: fidelity: unknown option '--tolerence' (did you mean '--tolerance'?)\$" \
  fidelity --tolerence 5 a.json b.json
# --format json everywhere data is printed; the others refused in one line
expect_bad "list --format yaml" "^gilbench: list: --format: 'yaml' is not text or json\$" list --format yaml
expect_bad "micro --format yaml" "^gilbench: micro: --format: 'yaml' is not text or json\$" micro --format yaml
expect_bad "--export-markdown in a missing dir" "^gilbench: --export-markdown: cannot write" \
  run --export-markdown /nonexistent/dir/x.md "${o[@]}"
expect_bad "-r with --target-ci" "^gilbench: -r: fixed repetitions" run --target-ci 2 -o "$T/out.json" -r 3
finish
