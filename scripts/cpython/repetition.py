"""repetition.py - one repetition of one cell on real CPython, in a fresh
interpreter (reference.py starts one per repetition, as gilbench forks one
per repetition): set up untimed, time the model's run, print one JSON
sample on stdout.

The timed region matches gilbench's: it starts before the first thread,
process, greenlet or task is created and ends when the last result is in
and every worker is joined. The echo peer and the socketpairs exist before
it, as gilbench's peer does. It does not decide what to run (reference.py)
nor summarise anything (gbresult.py).

usage: repetition.py SPEC_JSON   (model, workload, params, units)
       repetition.py --calibrate BYTECODE_NS   (the units, as JSON)
"""

import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import workloads as wl  # noqa: E402  (no imports of its own: safe before patching)


def rss_kib():
    with open("/proc/self/statm") as f:
        resident = int(f.read().split()[1])
    return resident * (os.sysconf("SC_PAGE_SIZE") // 1024)


def hwm_kib():
    """This image's peak RSS. ru_maxrss would not do: Linux carries the
    high-water mark of the image before execve (reference.py's) over."""
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return 0


def main():
    if sys.argv[1] == "--calibrate":
        import models

        cal = {"units": models.calibrate(float(sys.argv[2])), "modules": models.module_versions()}
        sys.stdout.write(json.dumps(cal) + "\n")
        return
    spec = json.loads(sys.argv[1])
    model, workload, p = spec["model"], spec["workload"], spec["params"]
    progs = wl.build(workload, p)

    import models  # socket, select, time: patched in place below for greenlets

    socks, peer = None, None
    if wl.needs_echo(workload, p):
        socks, peer = models.start_echo_peer(len(progs), p["peer_delay_s"])
    if model == "greenlets":
        from gevent import monkey

        monkey.patch_all()
        import socket

        # The pairs predate the patching: rewrap them as gevent sockets.
        if socks:
            socks = [socket.socket(fileno=s.detach()) for s in socks]
    import resource
    import time

    models.prepare(model)
    sys.setswitchinterval(p["switch_interval_s"])
    env = models.Env(spec, progs, socks)
    loop = None
    if model in ("asyncio", "callbacks"):
        import asyncio

        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        for s in socks or ():
            s.setblocking(False)
    run = getattr(models, "run_" + model)

    rss0 = rss_kib()
    s0 = resource.getrusage(resource.RUSAGE_SELF)
    c0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter_ns()
    values, bytecodes, blocking = run(progs, env, loop) if loop else run(progs, env)
    t1 = time.perf_counter_ns()
    s1 = resource.getrusage(resource.RUSAGE_SELF)
    c1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    peak = max(hwm_kib(), c1.ru_maxrss)

    if loop:
        loop.close()
    for s in socks or ():
        s.close()
    if peer:
        os.waitpid(peer, 0)

    wall = (t1 - t0) * 1e-9
    cpu = (s1.ru_utime + s1.ru_stime - s0.ru_utime - s0.ru_stime
           + c1.ru_utime + c1.ru_stime - c0.ru_utime - c0.ru_stime)
    # The peer is waited for only after c1: its CPU time and RSS are not the cell's.
    lat = sorted(env.latencies)
    sample = {
        "wall_s": wall,
        "cpu_s": cpu,
        "peak_rss_kib": float(peak),
        "mem_per_task_kib": (peak - rss0) / len(progs) if peak > rss0 else 0.0,
        "ctx_voluntary": float(s1.ru_nvcsw - s0.ru_nvcsw + c1.ru_nvcsw - c0.ru_nvcsw),
        "ctx_involuntary": float(s1.ru_nivcsw - s0.ru_nivcsw + c1.ru_nivcsw - c0.ru_nivcsw),
        "bytecodes": float(bytecodes),
        "bytecodes_per_s": bytecodes / wall if wall > 0 else 0.0,
    }
    if workload == "cpu":
        sample["ops_per_s"] = bytecodes / wall if wall > 0 else 0.0
    elif workload == "background":
        sample["ops_per_s"] = len(lat) / wall if wall > 0 else 0.0
    else:
        sample["ops_per_s"] = blocking / wall if wall > 0 else 0.0
    ideal = wl.ideal_s(workload, p)
    if ideal > 0:
        sample["overhead_ratio"] = wall / ideal - 1.0
    import gbresult  # only now: it imports threading, which gevent must patch first

    if lat:
        for q, key in ((0.5, "latency_p50_us"), (0.9, "latency_p90_us"), (0.99, "latency_p99_us"),
                       (1.0, "latency_max_us")):
            sample[key] = gbresult.nearest_rank(lat, q) / 1e3
        sample["latency_mean_us"] = sum(lat) / len(lat) / 1e3
        sample["latency_count"] = float(len(lat))
    if workload == "seed":
        want = ["bob done!", "alice done!"]
        if values != want:
            raise RuntimeError("seed returned %r, not %r" % (values, want))
    sys.stdout.write(json.dumps(sample) + "\n")
    sys.stdout.flush()


if __name__ == "__main__":
    try:
        main()
    except Exception as e:  # one line for reference.py to put in the cell's error
        sys.stderr.write("%s: %s\n" % (type(e).__name__, e))
        sys.exit(1)
