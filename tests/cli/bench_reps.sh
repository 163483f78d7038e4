# make bench's default matrix (scripts/bench.sh) runs the repetitions its
# own statistics ask for: never fewer than a quiet cell needs to detect a
# 5% change (with -r 3 every cell warned "3 repetitions, 4 needed"), and
# adaptive ones, with a cap. By counters, not timing.
. "$(dirname "$0")/lib.bash"

# the default branch's options: the line d=(...) after `else`
line=$(sed -n '/^else/,/^fi/{s/^ *d=(\(.*\)).*/\1/p}' "$SRC/scripts/bench.sh")
check "scripts/bench.sh has the default matrix's options" [ -n "$line" ]
read -r -a d <<<"$line"
check "they are adaptive repetitions, with a cap" \
  bash -c "grep -q -- '--max-reps' <<<'$line' && grep -q -- '--target-ci' <<<'$line'"
# the fewest repetitions with which any cell, however quiet, has enough to
# detect a 5% change: gbresult.reps_needed (gb_stats_reps_needed's twin) at cv 0
need=$(cd "$SRC/scripts/cpython" && /usr/bin/python3 -c 'import gbresult; print(gbresult.reps_needed(0.0, 0.05))')
"$GB" run -m serial -w seed "${d[@]}" -o "$T/r.json" >/dev/null 2>"$T/err"
check "the run exits 0" [ $? -eq 0 ]
check "every cell keeps at least the $need repetitions the statistics need, at most its cap" \
  /usr/bin/python3 - "$T/r.json" "$need" <<'PY'
import json, sys
need = int(sys.argv[2])
for c in json.load(open(sys.argv[1]))["results"]:
    p = c["params"]
    assert need >= 4 and p["min_reps"] >= need, (p.get("min_reps"), need)
    assert need <= len(c["samples"]["wall_s"]) == p["reps"] <= p["max_reps"], p
    assert not [w for w in c.get("warnings", []) if "%d repetitions, %d needed" % (p["reps"], need) in w], c["warnings"]
PY
finish
