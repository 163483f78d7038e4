# Faults, through the whole harness: a cell whose model segfaults, aborts,
# hangs, exits early or runs out of memory; SIGINT, SIGTERM, SIGHUP and
# SIGKILL to gilbench mid-run; output to a full device, a full file system
# and past `ulimit -f`. Each time: the finished cells are intact on disk,
# the failing cell says why, no process is left behind (the run goes under
# tests/tools/subreap, which inherits every orphan), no temp file is left,
# and the exit status is 2 (1 for a write error on the output).
. "$(dirname "$0")/lib.bash"
P="$BUILD/tests/plugin_fault.so"
S="$BUILD/tests/subreap"
V="$SRC/scripts/validate-results"

# Under a sanitizer a segfault or abort becomes the sanitizer's report and
# exit status: let the signal through, so these tests still see it.
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}handle_segv=0:handle_abort=0"
export TSAN_OPTIONS="${TSAN_OPTIONS:+$TSAN_OPTIONS:}handle_segv=0:handle_abort=0"
sanitize=$(sed -n 's/^GB_SANITIZE:STRING=//p' "$BUILD/CMakeCache.txt" 2>/dev/null)

no_tmp() { ! ls -A "$1" | grep -q "^\..*\.[A-Za-z0-9]\{6\}$"; }
# left_ok REPORT [strict]: nothing alive after the run; strict: nothing for the subreaper either
left_ok() {
  grep -qx "left=0" "$1" || return 1
  [ "${2:-}" != strict ] || grep -qx "orphans=0" "$1"
}

# cells FILE SPEC: the results, in order, are "model:status[:error regex]" each
cells() {
  /usr/bin/python3 - "$@" <<'EOF'
import json, re, sys
r = json.load(open(sys.argv[1]))["results"]
want = sys.argv[2:]
assert len(r) == len(want), [(c["model"], c["status"]) for c in r]
for c, w in zip(r, want):
    m, st, *rx = w.split(":", 2)
    assert c["model"] == m and c["status"] == st, (c["model"], c["status"], c.get("error"))
    if st == "ok":
        assert len(c["samples"]["wall_s"]) == c["params"]["reps"], c["samples"]
    if rx:
        assert re.search(rx[0], c["error"]), c["error"]
EOF
}

# fault NAME MODE STATUS REGEX [gilbench options]: serial, the fault, serial
fault() {
  local name=$1 mode=$2 st=$3 rx=$4 rc; shift 4
  mkdir -p "$T/$mode"
  GB_FAULT=$mode "$S" "$T/$mode/rep" "$GB" run --plugin "$P" -m serial,fault,serial -w seed \
    -r 2 --warmup 0 -q -o "$T/$mode/out.json" "$@" 2>"$T/$mode/err"
  rc=$?
  check "$name: exit status 2 (got $rc)" [ "$rc" -eq 2 ]
  check "$name: the file validates" "$V" "$T/$mode/out.json"
  check "$name: the other cells ran, the failing one says why" \
    cells "$T/$mode/out.json" serial:ok "fault:$st:$rx" serial:ok
  check "$name: one line on stderr names the cell" grep -q "^gilbench: fault: seed $st: " "$T/$mode/err"
  check "$name: no process left, none orphaned" left_ok "$T/$mode/rep" strict
  check "$name: no temp file left" no_tmp "$T/$mode"
}

fault "segfault" segv failed "^crashed: killed by signal 11 "
fault "abort" abort failed "^crashed: killed by signal 6 "
fault "exit(0) mid-run" exit0 failed "^exited with status 0 and no result"
fault "exit(3) mid-run" exit3 failed "^exited with status 3 and no result"
fault "hang (SIGINT and SIGTERM ignored)" hang timeout "^timed out after 3 s" --timeout 3
# A process the model forked keeps the result pipe open: the crash must be
# seen when the cell process dies, not at the timeout.
fault "segfault leaving a forked child" fork-segv failed "^crashed: killed by signal 11 " --timeout 600
case $sanitize in
?*)
  skip "out of memory (RLIMIT_AS)" "the sanitizer's shadow memory is beyond any small RLIMIT_AS"
  skip "out of memory, memory kept" "as above"
  ;;
*)
  fault "out of memory (RLIMIT_AS)" oom failed "out of memory after [0-9]+ MiB"
  fault "out of memory, memory kept" oom-hold failed "out of memory after [0-9]+ MiB"
  ;;
esac

# Signals mid-run: the first cell is on disk, the second (it hangs) is in
# flight. The interrupted cell is failed "interrupted by signal N".
interrupt() {
  local sig=$1 num=$2 d="$T/sig$1" pid= rc i
  mkdir -p "$d"
  GB_FAULT=hang "$S" "$d/rep" "$GB" run --plugin "$P" -m serial,fault,serial -w seed -r 1 \
    --warmup 0 -q --timeout 600 -o "$d/out.json" 2>"$d/err" &
  local sub=$!
  for ((i = 0; i < 600; i++)); do
    pid=$(sed -n 's/^pid=//p' "$d/rep" 2>/dev/null)
    [ -n "$pid" ] && [ -s "$d/out.json" ] && pgrep -P "$pid" >/dev/null && break
    sleep 0.1
  done
  kill "-$sig" "$pid"
  wait "$sub"
  rc=$?
  if [ "$sig" = KILL ]; then
    check "SIGKILL: gilbench died of it" grep -qx "status=signal 9" "$d/rep"
    check "SIGKILL: the finished cell is intact" cells "$d/out.json" serial:ok
    check "SIGKILL: its cell process died with it (PDEATHSIG)" left_ok "$d/rep"
  else
    check "SIG$sig: exit status 2 (got $rc)" [ "$rc" -eq 2 ]
    check "SIG$sig: the file validates" "$V" "$d/out.json"
    check "SIG$sig: the finished cell kept, the interrupted one says so" \
      cells "$d/out.json" serial:ok "fault:failed:^interrupted by signal $num "
    check "SIG$sig: stderr says so" grep -q "^gilbench: run: interrupted by signal $num " "$d/err"
    check "SIG$sig: only the cell that finished is counted as finished" \
      grep -q ": 1 finished cell kept$" "$d/err"
    check "SIG$sig: no process left, none orphaned" left_ok "$d/rep" strict
  fi
  check "SIG$sig: no temp file left" no_tmp "$d"
}
interrupt INT 2
interrupt TERM 15
interrupt HUP 1
interrupt KILL 9

# A device that is always full: one line naming it and why, exit 1, and the
# device is still a device (a temp file renamed over it would replace it).
"$GB" run -m serial -w seed -r 1 --warmup 0 -q -o /dev/full 2>"$T/full.err"
rc=$?
check "-o /dev/full: exit status 1 (got $rc)" [ "$rc" -eq 1 ]
check "-o /dev/full: one line, path and reason" \
  grep -qx "gilbench: /dev/full: cannot write: $(/usr/bin/python3 -c 'import os; print(os.strerror(28))')" "$T/full.err"
check "-o /dev/full: still a character device" test -c /dev/full
check "-o /dev/full: no temp file in /dev" no_tmp /dev

# -o naming a directory is bad input: refused before anything runs.
"$GB" run -m serial -w seed -r 1 --warmup 0 -q -o "$T" 2>"$T/dir.err"
rc=$?
check "-o DIR: exit status 1, one line" eval '[ "$rc" -eq 1 ] && [ "$(wc -l <"$T/dir.err")" -eq 1 ]'
check "-o DIR: it says why" grep -q "^gilbench: -o: cannot write $T: it is a directory" "$T/dir.err"

# Past `ulimit -f`: EFBIG (SIGXFSZ would kill the run), the previous file kept.
"$GB" run -m serial -w seed -r 1 --warmup 0 -q -o "$T/fsize.json" 2>/dev/null
cp "$T/fsize.json" "$T/fsize.before"
(ulimit -f 2 && exec "$GB" run -m serial -w seed -r 1 --warmup 0 -q --append -o "$T/fsize.json") \
  2>"$T/fsize.err"
rc=$?
check "ulimit -f: exit status 1, not a signal (got $rc)" [ "$rc" -eq 1 ]
check "ulimit -f: the line names the file and EFBIG" \
  grep -q "^gilbench: $T/fsize.json: cannot write: File too large" "$T/fsize.err"
check "ulimit -f: the previous file is kept" cmp -s "$T/fsize.json" "$T/fsize.before"
check "ulimit -f: no temp file left" no_tmp "$T"

# A full file system (a tiny tmpfs; root only). The run before the disk
# fills is intact; the run after fails with ENOSPC and loses nothing.
mnt="$T/mnt"
mkdir -p "$mnt"
if [ "$(id -u)" -eq 0 ] && mount -t tmpfs -o size=128k gbtest "$mnt" 2>/dev/null; then
  trap 'umount "$mnt" 2>/dev/null; rm -rf "$T"' EXIT
  "$GB" run -m serial -w seed -r 1 --warmup 0 -q -o "$mnt/out.json" 2>"$T/fs.err"
  check "tmpfs: the first run writes its file" cells "$mnt/out.json" serial:ok
  cp "$mnt/out.json" "$T/fs.before"
  dd if=/dev/zero of="$mnt/fill" bs=4k 2>/dev/null
  "$S" "$T/fs.rep" "$GB" run -m serial,serial -w seed -r 1 --warmup 0 -q --append \
    -o "$mnt/out.json" 2>"$T/fs.err"
  rc=$?
  check "tmpfs full: exit status 1 (got $rc)" [ "$rc" -eq 1 ]
  check "tmpfs full: one line, the path, ENOSPC, the old file kept" grep -qx \
    "gilbench: $mnt/out.json: cannot write: No space left on device (the previous file is kept as it was)" \
    "$T/fs.err"
  check "tmpfs full: the previous file is intact" cmp -s "$mnt/out.json" "$T/fs.before"
  check "tmpfs full: no temp file left" no_tmp "$mnt"
  check "tmpfs full: no process left" left_ok "$T/fs.rep" strict
  "$GB" run -m serial -w seed -r 1 --warmup 0 -q -o "$mnt/new.json" 2>"$T/fs2.err"
  rc=$?
  check "tmpfs full, new file: exit status 1, no file, no temp file" \
    eval '[ "$rc" -eq 1 ] && [ ! -e "$mnt/new.json" ] && no_tmp "$mnt"'
  umount "$mnt"
else
  skip "full tmpfs" "cannot mount a tmpfs here (needs root)"
fi
finish
