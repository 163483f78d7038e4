# The threads and processes models through the real harness: the GIL
# counters that tell them apart land in the JSON, and a processes cell that
# times out or is interrupted leaves no process behind. Counters and wide
# bounds only: nothing here depends on how fast the machine is.
. "$(dirname "$0")/lib.bash"

# The gilbench processes of this test run in a session of their own
# (setsid), which forked children inherit and keep after they are orphaned:
# counting the session's processes finds what is left, cheaply even on a
# loaded machine, and other tests may run the same executable meanwhile.
ours() { pgrep -s "$1" | wc -l; }

# Waits up to $3 seconds until the count of session $1 satisfies "$2" (e.g. "-eq 0").
wait_ours() {
  local i
  for ((i = 0; i < $3 * 10; i++)); do
    # shellcheck disable=SC2086
    [ "$(ours "$1")" $2 ] && return 0
    sleep 0.1
  done
  return 1
}

"$GB" run -m threads,processes -w cpu -t 1,2 --gil new --switch-interval 0.0001 \
  --work 4000000 -r 1 --warmup 0 -q --timeout 120 -o "$T/cpu.json"
check "cpu cells run" [ $? -eq 0 ]
check "threads contend for one GIL, processes never do" /usr/bin/python3 -c "
import json
d=json.load(open('$T/cpu.json'))
got={(c['model'],c['params']['tasks']):c['samples'] for c in d['results']}
f=lambda m,t,k: got[(m,t)][k][0]
assert f('threads',2,'gil_forced_switches')>0, got[('threads',2)]
assert f('threads',1,'gil_forced_switches')==0
assert f('threads',1,'gil_drop_requests')==0
for t in (1,2):
    assert f('processes',t,'gil_drop_requests')==0
    assert f('processes',t,'gil_forced_switches')==0
    assert f('processes',t,'bytecodes')==4000000
"

# A cell that times out: the harness kills the cell's process group.
start=$(date +%s)
setsid "$GB" run -m processes -w io --io sleep --io-time 30 -t 2 -r 1 --warmup 0 -q --timeout 1 \
  -o "$T/timeout.json" 2>"$T/timeout.err" &
sid=$!
wait "$sid"
rc=$?
check "a timed-out cell exits 2" [ "$rc" -eq 2 ]
check "it did not wait for the children's 30 s sleep" [ $(($(date +%s) - start)) -lt 25 ]
check "the result says timeout" /usr/bin/python3 -c "
import json
c=json.load(open('$T/timeout.json'))['results'][0]
assert c['status']=='timeout', c
"
check "no process left after the timeout" wait_ours "$sid" "-eq 0" 10

# SIGINT to gilbench while the children sleep.
setsid "$GB" run -m processes -w io --io sleep --io-time 30 -t 2 -r 1 --warmup 0 -q --timeout 60 \
  -o "$T/int.json" 2>"$T/int.err" &
pid=$!
check "gilbench, its cell and two children are running" wait_ours "$pid" "-ge 4" 10
kill -INT "$pid"
wait "$pid"
rc=$?
check "SIGINT: gilbench exits 2, the cell failed: interrupted (got $rc)" [ "$rc" -eq 2 ]
check "SIGINT: no process left" wait_ours "$pid" "-eq 0" 10
finish
