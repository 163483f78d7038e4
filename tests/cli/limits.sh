# Resource limits, through the whole harness: -t 100000 threads or
# processes beyond RLIMIT_NPROC or the address space, the echo peer's
# socketpairs beyond RLIMIT_NOFILE, a matrix too big to build. Each is a
# failed cell with the reason (EAGAIN, ENOMEM, EMFILE) and exit status 2,
# never a crash or a hang, and no process is left behind (the run goes
# under tests/tools/subreap). tests/unit/test_limits.c checks the same
# limits in-process: threads joined, children reaped, descriptors closed.
. "$(dirname "$0")/lib.bash"
S="$BUILD/tests/subreap"
V="$SRC/scripts/validate-results"
sanitize=$(sed -n 's/^GB_SANITIZE:STRING=//p' "$BUILD/CMakeCache.txt" 2>/dev/null)
EAGAIN=$(/usr/bin/python3 -c 'import errno, os; print(os.strerror(errno.EAGAIN))')
ENOMEM=$(/usr/bin/python3 -c 'import errno, os; print(os.strerror(errno.ENOMEM))')
EMFILE=$(/usr/bin/python3 -c 'import errno, os; print(os.strerror(errno.EMFILE))')


# every_cell FILE REGEX: every cell failed, with an error matching REGEX
every_cell() {
  /usr/bin/python3 - "$@" <<'EOF'
import json, re, sys
r = json.load(open(sys.argv[1]))["results"]
assert r, "no cells"
for c in r:
    assert c["status"] == "failed" and re.search(sys.argv[2], c["error"]), (c["model"], c["status"], c.get("error"))
EOF
}

# limited NAME DIR REGEX CMD...: CMD runs gilbench with a limit under subreap
limited() {
  local name=$1 d=$2 rx=$3 rc; shift 3
  "$S" "$d/rep" "$@" 2>"$d/err"
  rc=$?
  check "$name: exit status 2 (got $rc)" [ "$rc" -eq 2 ]
  check "$name: the file validates" "$V" "$d/out.json"
  check "$name: every cell failed with the reason" every_cell "$d/out.json" "$rx"
  check "$name: no process left, none orphaned" \
    eval 'grep -qx left=0 "$d/rep" && grep -qx orphans=0 "$d/rep"'
}

# Descriptors: io echo needs a socketpair per task.
mkdir -p "$T/nofile"
limited "ulimit -n 64, io echo -t 1000" "$T/nofile" "echo peer for 1000 tasks: $EMFILE" \
  bash -c 'ulimit -n 64 && exec "$@"' - "$GB" run -m threads,processes,greenlets,asyncio -w io \
  --io echo -t 1000 -r 1 --warmup 0 -q -o "$T/nofile/out.json"

# Processes and threads: RLIMIT_NPROC binds no process of root, so root
# runs gilbench as nobody; the limit leaves a few tasks beyond what the
# user runs now, far fewer than 100000.
mkdir -p "$T/nproc" && chmod 777 "$T" "$T/nproc"
if [ "$(id -u)" -eq 0 ]; then
  as=(setpriv --reuid=65534 --regid=65534 --clear-groups)
  uid=65534
else
  as=()
  uid=$(id -u)
fi
if [ "$(id -u)" -ne 0 ] || command -v setpriv >/dev/null; then
  n=$(($(ps -L -U "$uid" -o tid= | wc -l) + 24))
  limited "ulimit -u (tasks of the user + 24), -t 100000" "$T/nproc" \
    "task [0-9]+ of 100000: (pthread_create|fork): $EAGAIN" \
    "${as[@]}" bash -c 'ulimit -u "$1" && shift && exec "$@"' - "$n" "$GB" run \
    -m threads,processes -w io --io sleep --io-time 0.001 -t 100000 -r 1 --warmup 0 -q \
    -o "$T/nproc/out.json"
else
  skip "ulimit -u" "root without setpriv cannot drop to a user RLIMIT_NPROC binds"
fi

# The address space: thread stacks first, then the workload's own arrays.
mkdir -p "$T/as"
case $sanitize in
?*) skip "ulimit -v" "the sanitizer's shadow memory is beyond any small RLIMIT_AS" ;;
*)
  # Three cells: hwloc's unchecked allocation crashed one such cell in 15.
  limited "ulimit -v 300 MiB, threads -t 100000 (x3)" "$T/as" \
    "pthread_create: $EAGAIN|$ENOMEM" \
    bash -c 'ulimit -v 307200 && exec "$@"' - "$GB" run -m threads -w io --io sleep \
    --io-time 0.001 -t 100000,100000,100000 -r 1 --warmup 0 -q -o "$T/as/out.json"
  mkdir -p "$T/as2"
  limited "ulimit -v 60 MiB, -t 10000000 (the largest)" "$T/as2" \
    "cannot build the workload's programs: $ENOMEM" \
    bash -c 'ulimit -v 61440 && exec "$@"' - "$GB" run -m threads -w io --io sleep \
    --io-time 0 -t 10000000 -r 1 --warmup 0 -q -o "$T/as2/out.json"
  ;;
esac
finish
