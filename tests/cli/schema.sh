# The schema accepts real output and rejects files that break it, so the
# validation the other tests rely on can fail.
. "$(dirname "$0")/lib.bash"
v="$SRC/scripts/validate-results"

"$GB" run -m serial -w seed,cpu,io -t 2 --work 200000 --io-time 0.01 -r 2 --warmup 0 -q \
  -o "$T/r.json"
check "real output validates" "$v" "$T/r.json"
check "context.topology is recorded" /usr/bin/python3 -c "
import json
t=json.load(open('$T/r.json'))['context']['topology']
assert t['pus']>=1 and t['cores']>=1 and t['packages']>=1, t
"
/usr/bin/python3 - "$T/r.json" "$T" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
broken = json.loads(json.dumps(d)); broken["schema_version"] = 2
json.dump(broken, open(sys.argv[2] + "/b1.json", "w"))
broken = json.loads(json.dumps(d)); broken["results"][0]["status"] = "great"
json.dump(broken, open(sys.argv[2] + "/b2.json", "w"))
broken = json.loads(json.dumps(d)); del broken["results"][0]["samples"]["wall_s"]
json.dump(broken, open(sys.argv[2] + "/b3.json", "w"))
PY
for b in b1 b2 b3; do
  check "schema rejects $b" bash -c "! '$v' '$T/$b.json' 2>/dev/null"
done
finish
