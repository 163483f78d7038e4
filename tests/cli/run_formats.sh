# gilbench run --format X writes what `gilbench export --format X` would,
# in the shape its consumer reads; gab without -o is refused before
# anything runs; --append records every invocation in context.commands.
. "$(dirname "$0")/lib.bash"
cell=(-m serial -w cpu -t 1 --work 100000 -r 3 --warmup 0 -q)
py() { /usr/bin/python3 - "$@"; }

"$GB" run "${cell[@]}" --format gbench >"$T/gb.json" 2>"$T/err"
check "run --format gbench: exit 0, nothing on stderr" bash -c "[ $? -eq 0 ] && [ ! -s '$T/err' ]"
check "gbench: 3 iterations sharing a name, 4 aggregates, context.caches" py "$T/gb.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
assert isinstance(d["context"]["caches"], list)
it = [b for b in d["benchmarks"] if b["run_type"] == "iteration"]
ag = [b for b in d["benchmarks"] if b["run_type"] == "aggregate"]
assert len(it) == 3 and len({b["name"] for b in it}) == 1, it
assert sorted(b["repetition_index"] for b in it) == [0, 1, 2]
assert sorted(b["aggregate_name"] for b in ag) == ["cv", "mean", "median", "stddev"]
assert all(b["time_unit"] == "ms" and "real_time" in b and "cpu_time" in b for b in it + ag)
PY

"$GB" run "${cell[@]}" --format bmf -o "$T/bmf.json"
check "bmf: {benchmark: {measure: {value, lower_value, upper_value}}}" py "$T/bmf.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
assert len(d) == 1
(name, b), = d.items()
assert name.startswith("serial/cpu/tasks=1/gil=new/") and len(name) <= 1024
for slug, m in b.items():
    assert len(slug) <= 64 and isinstance(m["value"], (int, float)), slug
    assert m["lower_value"] <= m["value"] <= m["upper_value"], (slug, m)
assert "latency" in b and "throughput" in b
PY

"$GB" run "${cell[@]}" --format pyperf -o "$T/pp.json"
check "pyperf: version 1.0, named benchmark, 3 runs of values > 0" py "$T/pp.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
assert d["version"] == "1.0" and d["metadata"]["unit"] == "second"
(b,) = d["benchmarks"]
assert b["metadata"]["name"].startswith("serial/cpu/")
assert len(b["runs"]) == 3 and all(r["values"][0] > 0 for r in b["runs"])
PY

"$GB" run "${cell[@]}" --format gab -o "$T/gab.json"
check "gab: two arrays of {name, unit, value, range, extra}" py "$T/gab-smaller.json" "$T/gab-bigger.json" <<'PY'
import json, sys
small, big = (json.load(open(p)) for p in sys.argv[1:3])
for arr in (small, big):
    assert isinstance(arr, list) and arr
    for e in arr:
        assert isinstance(e["name"], str) and isinstance(e["value"], (int, float))
        assert isinstance(e["unit"], str) and isinstance(e["range"], str) and isinstance(e["extra"], str)
        assert "% ci of the median" in e["range"], e["range"]
assert any(e["name"].endswith(" - wall") for e in small)
assert any(e["name"].endswith(" - ops/s") for e in big)
PY

# gab needs two files: refused at once, nothing run, nothing written
for o in "" "-o -"; do
  # shellcheck disable=SC2086
  "$GB" run -m serial -w io --io-time 0.2 -r 1 --warmup 0 -q --trace "$T/tr.csv" --format gab $o \
    >"$T/out" 2>"$T/err"
  rc=$?
  check "run --format gab ${o:-without -o}: exit 1, one line, nothing run" \
    bash -c "[ $rc -eq 1 ] && [ \$(wc -l <'$T/err') -eq 1 ] && grep -q 'give -o PATH' '$T/err' && [ ! -s '$T/out' ] && [ ! -e '$T/tr.csv' ]"
done

# context.commands: every invocation that added cells
"$GB" run -m serial -w cpu -t 1 --work 100000 -r 2 --warmup 0 -q -o "$T/a.json"
"$GB" run -m serial -w cpu -t 2 --work 100000 -r 2 --warmup 0 -q -o "$T/a.json" --append
check "--append: commands lists both invocations, command is the first" py "$T/a.json" <<'PY'
import json, sys
c = json.load(open(sys.argv[1]))["context"]
assert len(c["commands"]) == 2 and c["command"] == c["commands"][0], c
assert "-t 1" in c["commands"][0] and "-t 2 " in c["commands"][1] and "--append" in c["commands"][1]
PY
# a file from before commands existed: the list starts from its command
py "$T/a.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1])); del d["context"]["commands"]
json.dump(d, open(sys.argv[1], "w"))
PY
"$GB" run -m serial -w cpu -t 3 --work 100000 -r 2 --warmup 0 -q -o "$T/a.json" --append
check "--append to an old file: [its command, the new one]" py "$T/a.json" <<'PY'
import json, sys
c = json.load(open(sys.argv[1]))["context"]
assert len(c["commands"]) == 2 and c["commands"][0] == c["command"] and "-t 3" in c["commands"][1], c
PY
check "the appended file validates" "$SRC/scripts/validate-results" "$T/a.json"

finish
