# One spelling for machine-readable output: `--format json` on every
# subcommand that prints data, the older spellings (list --json, micro
# --json) kept as aliases, and each --help saying so.
. "$(dirname "$0")/lib.bash"

isjson() { /usr/bin/python3 -c "import json, sys; json.load(open(sys.argv[1]))" "$1"; }
keys() { /usr/bin/python3 -c "import json, sys; print(sorted(json.load(open(sys.argv[1]))))" "$1"; }

"$GB" list --format json >"$T/l1.json" && "$GB" list --json >"$T/l2.json"
check "list --format json: JSON" isjson "$T/l1.json"
check "list --json: the same document" cmp "$T/l1.json" "$T/l2.json"
"$GB" list --format=json >"$T/l3.json"
check "list --format=json: the same" cmp "$T/l1.json" "$T/l3.json"
check "list --format text: the table" bash -c "'$GB' list --format text | grep -q '^models:'"
"$GB" micro --format json --reps 5 --filter chan >"$T/m1.json"
check "micro --format json: JSON" isjson "$T/m1.json"
"$GB" micro --json --reps 5 --filter chan >"$T/m2.json"
k1=$(keys "$T/m1.json") k2=$(keys "$T/m2.json")
check "micro --json: the same keys" [ "${k1:-none}" = "${k2:-other}" ]
"$GB" run -m serial -w seed -r 1 --warmup 0 -q -o "$T/r.json"
"$GB" show --format json "$T/r.json" >"$T/s.json"
check "show --format json: JSON" isjson "$T/s.json"
"$GB" compare --format json "$T/r.json" "$T/r.json" >"$T/c.json"
check "compare --format json: JSON" isjson "$T/c.json"
check "compare --format json: ci with its level; no ci95 for a 1-sample interval" /usr/bin/python3 -c "
import json; b = json.load(open('$T/c.json'))['comparisons'][0]['base']
assert len(b['ci']) == 2 and b['ci_level'] < 0.95 and 'ci95' not in b, b"
"$GB" run -m serial -w seed -r 1 --warmup 0 -q --format json >"$T/rj.json"
check "run --format json: JSON" isjson "$T/rj.json"
for cmd in list micro show compare fidelity run; do
  check "$cmd --help documents --format json" bash -c "'$GB' $cmd --help | grep -- '--format' | grep -q json"
done
finish
