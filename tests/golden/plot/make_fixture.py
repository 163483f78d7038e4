#!/usr/bin/env python3
"""Writes the plot test fixture: results.json, base.json, cpython.json,
trace.csv (and trace.jsonl, the same trace as JSON lines) and trace_procs.csv.

A test fixture, not a result: the numbers are plausible for a 2-core machine
(shaped after the GIL research notes) so that every chart has something to
draw, but nothing here was measured. Deterministic: rerunning it rewrites the
same files. Usage: python3 make_fixture.py [OUTDIR]
"""
import json
import math
import os
import random
import sys

OUT = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.abspath(__file__))
rng = random.Random(7)

CONTEXT = {
    "date": "2026-11-25T06:40:00Z", "host": "fixture", "cpu_model": "Fixture CPU @ 2.40GHz",
    "kernel": "6.1.0", "compiler": "GNU 12.2.0", "git_sha": "0123456789abcdef",
    "gilbench_version": "0.1.0", "hwloc_version": "2.9.0",
    "command": "gilbench run (fixture written by tests/golden/plot/make_fixture.py)",
    "commands": ["gilbench run -w cpu,io,background,seed (fixture, first invocation)",
                 "gilbench run --append -w background -m greenlets,asyncio -t 2 "
                 "--yield-every 0,1000000,100000,10000 (fixture, second invocation)"],
    "topology": {"packages": 1, "cores": 2, "pus": 2, "numa_nodes": 1, "caches": [
        {"level": 1, "type": "data", "size_kib": 32, "count": 2},
        {"level": 2, "type": "unified", "size_kib": 512, "count": 2},
        {"level": 3, "type": "unified", "size_kib": 16384, "count": 1}]},
}

DEFAULTS = {"gil": "new", "switch_interval_s": 0.005, "check_interval": 100,
            "native_fraction": 0.0, "placement": "compact", "cpus": "0-1",
            "work": 20000000, "io": "sleep", "io_time_s": 0.01, "io_ops": 10,
            "burst": 30000000, "think_s": 0.001, "yield_every": 0, "stack_size": 65536,
            "reps": 5, "warmup": 1}


def median(xs):
    s = sorted(xs)
    n = len(s)
    return s[n // 2] if n % 2 else (s[n // 2 - 1] + s[n // 2]) / 2


def ci_level(n):
    """The coverage of [min, max] as an interval of the median of n samples."""
    return 1 - 2 * 0.5 ** n


def summary(xs):
    n = len(xs)
    m = median(xs)
    mean = sum(xs) / n
    sd = math.sqrt(sum((x - mean) ** 2 for x in xs) / (n - 1))
    s = sorted(xs)
    return {"n": n, "median": m, "mean": mean, "stddev": sd,
            "mad": median([abs(x - m) for x in xs]), "min": s[0], "max": s[-1],
            "ci95": [s[0], s[-1]], "ci_level": ci_level(n), "cv": sd / mean, "outliers": 0,
            "noisy": sd / mean > 0.05, "too_few": False}


def noisy(v, rel, n=5):
    return [v * (1 + rng.gauss(0, rel)) for _ in range(n)]


def cell(model, workload, tasks, wall, extra=None, gil="new", noise=0.01, **params):
    p = dict(DEFAULTS, tasks=tasks, gil=gil, bound_cpus=["0", "1"][:min(tasks, 2)])
    p.update(params)
    walls = noisy(wall, noise)
    samples = {"wall_s": walls, "cpu_s": [w * min(tasks, 2) * 0.98 for w in walls]}
    metrics = {"wall_s": summary(walls), "cpu_s": summary(samples["cpu_s"])}
    warnings = []
    if metrics["wall_s"]["noisy"]:
        warnings.append("wall_s: cv %.1f%% above 5%%" % (100 * metrics["wall_s"]["cv"]))
    for k, v in (extra or {}).items():
        metrics[k] = v
        # The samples behind the metric, one value every repetition: a reader
        # that merges two runs of one cell (gilbench pools their samples and
        # recomputes the metrics) finds what the metrics say. Speedups are
        # against serial, not samples of their own.
        if k == "latency_us":
            samples.update({"latency_%s_us" % q: [x] * len(walls) for q, x in v.items()})
        elif k == "gil":
            samples.update({"gil_" + q: [x] * len(walls) for q, x in v.items()})
        elif k not in ("speedup", "efficiency"):
            samples[k] = [v] * len(walls)
    return {"model": model, "workload": workload, "params": p, "status": "ok",
            "samples": samples, "metrics": metrics, "warnings": warnings}


def failed(model, workload, tasks, status, error, **params):
    p = dict(DEFAULTS, tasks=tasks, bound_cpus=[], **params)
    return {"model": model, "workload": workload, "params": p, "status": status,
            "error": error, "samples": {}, "metrics": {}, "warnings": []}


def gil(held, wait, acq, forced):
    return {"acquisitions": acq, "drop_requests": forced, "forced_switches": forced,
            "futile_wakeups": forced // 4, "held_frac": held, "wait_frac": wait,
            "switches": forced}


MODELS = [("serial", None), ("threads", "new"), ("threads", "legacy"), ("threads", "none"),
          ("processes", None), ("greenlets", None), ("asyncio", None), ("callbacks", None)]


def build(slow=1.0):
    res = []
    # cpu: 20 M bytecodes split over K tasks; serial takes 1.0 s.
    cpu_speedup = {
        "serial": {1: 1.0, 2: 1.0, 4: 1.0},
        ("threads", "new"): {1: 0.99, 2: 0.97, 4: 0.95},
        ("threads", "legacy"): {1: 0.99, 2: 0.74, 4: 0.69},
        ("threads", "none"): {1: 0.98, 2: 1.92, 4: 1.89},
        "processes": {1: 0.97, 2: 1.93, 4: 1.90},
        "greenlets": {1: 0.99, 2: 0.99, 4: 0.98},
        "asyncio": {1: 0.98, 2: 0.98, 4: 0.97},
        "callbacks": {1: 0.99, 2: 0.99, 4: 0.98},
    }
    for model, g in MODELS:
        key = (model, g) if model == "threads" else model
        for t, sp in cpu_speedup[key].items():
            wall = 1.0 / sp * (slow if (model, g) == ("threads", "legacy") else 1.0)
            gl = gil(0.97 / max(sp, 1), 0.02 * t, 200 * t, 190 * t) if model == "threads" \
                else None
            extra = {"speedup": 1.0 / wall, "efficiency": 1.0 / wall / t,
                     "bytecodes_per_s": 2e7 / wall, "ops_per_s": 2e7 / wall,
                     "peak_rss_kib": 4100 + 80 * t}
            if gl:
                extra["gil"] = gl
            res.append(cell(model, "cpu", t, wall, extra, gil=g or "new"))
    # native fraction sweep: threads under new, 2 tasks.
    for f, sp in [(0.25, 1.10), (0.5, 1.27), (0.75, 1.50), (1.0, 1.85)]:
        wall = 1.0 / sp
        res.append(cell("threads", "cpu", 2, wall,
                        {"speedup": sp, "efficiency": sp / 2, "bytecodes_per_s": 2e7 / wall,
                         "gil": gil(0.97 * (1 - f), 0.3 * (1 - f), 300, 100)},
                        native_fraction=f))
    # io: K tasks x 10 sleeps of 10 ms; ideal wall 0.1 s.
    io = {
        "serial": ({1: 0.1006, 10: 1.006}, 0.0),
        ("threads", "new"): ({1: 0.1008, 10: 0.1012, 100: 0.1043, 1000: 0.131}, 14.5),
        "processes": ({1: 0.1021, 10: 0.1062, 100: 0.152}, 880.0),
        "greenlets": ({1: 0.1005, 10: 0.1006, 100: 0.1011, 1000: 0.1032, 10000: 0.1185},
                      9.1),
        "asyncio": ({1: 0.1004, 10: 0.1005, 100: 0.1009, 1000: 0.1024, 10000: 0.1142}, 1.4),
        "callbacks": ({1: 0.1004, 10: 0.1004, 100: 0.1007, 1000: 0.1019, 10000: 0.1097},
                      0.35),
    }
    for model, g in MODELS:
        key = (model, g) if model == "threads" else model
        if key not in io:
            continue
        walls, mem = io[key]
        for t, wall in walls.items():
            # a fixed cost shared by the tasks, plus each task's own stack/state
            per_task = mem + (0 if model == "serial" else 40.0 / t)
            res.append(cell(model, "io", t, wall,
                            {"ops_per_s": t * 10 / wall, "mem_per_task_kib": per_task,
                             "peak_rss_kib": 4000 + per_task * t}, noise=0.0005))
    res.append(failed("processes", "io", 1000, "failed",
                      "fork: Resource temporarily unavailable"))
    res.append(failed("serial", "io", 100, "skipped", "ideal wall above --timeout"))
    # background: 1 foreground echo task + B CPU tasks (tasks = B + 1).
    bg = {
        "serial": {1: (24, 61)},
        ("threads", "new"): {1: (31, 84), 2: (5140, 10090), 3: (10200, 15300)},
        ("threads", "legacy"): {1: (30, 80), 2: (62, 910), 3: (118, 2140)},
        ("threads", "none"): {1: (29, 78), 2: (34, 96), 3: (41, 131)},
        "processes": {1: (36, 92), 2: (41, 113), 3: (63, 415)},
        "greenlets": {1: (27, 70), 2: (690000, 1480000), 3: (1390000, 2950000)},
        "asyncio": {1: (26, 66), 2: (705000, 1490000), 3: (1410000, 2980000)},
        "callbacks": {1: (25, 64), 2: (700000, 1470000), 3: (1400000, 2960000)},
    }
    for model, g in MODELS:
        key = (model, g) if model == "threads" else model
        for t, (p50, p99) in bg[key].items():
            lat = {"p50": p50, "p90": (p50 + p99) / 2, "p99": p99, "max": p99 * 1.3}
            # one GIL or one OS thread runs one background task at a time
            lanes = min(t - 1, 2) if key in (("threads", "none"), "processes") else min(t - 1, 1)
            extra = {"latency_us": lat, "ops_per_s": 1e6 / (p50 + 1000),
                     "bytecodes_per_s": 1.98e7 * lanes}
            if model == "threads":
                extra["gil"] = gil(0.9, 0.1, 400 * t, 180 * t)
            # the CPU the harness bound the echo peer to follows the task
            # count (the slot after the model's OS threads): not part of the
            # experiment, so the chart must not split a model's line on it
            peer = str(t % 2) if model in ("threads", "processes") else "1"
            res.append(cell(model, "background", t, 1.5 * max(t - 1, 0.02), extra,
                            gil=g or "new", peer_cpus=peer))
    # switch interval sweep: threads under new, 1 foreground + 1 background task.
    for si, bps in [(0.0005, 1.80e7), (0.001, 1.90e7), (0.002, 1.95e7),
                    (0.01, 1.99e7), (0.02, 2.0e7)]:
        p50 = si * 1e6 * 1.02 + 30
        p99 = si * 2e6 + 60
        res.append(cell("threads", "background", 2, 1.5,
                        {"latency_us": {"p50": p50, "p90": 1.6 * p50, "p99": p99,
                                        "max": 1.2 * p99},
                         "ops_per_s": 1e6 / (p50 + 1000), "bytecodes_per_s": bps,
                         "gil": gil(0.95, 0.05, int(3 / si), int(1.5 / si))},
                        switch_interval_s=si, peer_cpus="0"))
    # yield sweep: greenlets and asyncio, 1 foreground + 1 background task. Its
    # yield_every 0 cell has the identity of the convoy's tasks=2 cell: the
    # two runs are merged (samples pooled) into the one cell charted and tabled.
    for model, lat in (("greenlets", {0: 700000, 1000000: 620000, 100000: 64000,
                                      10000: 6600}),
                       ("asyncio", {0: 710000, 1000000: 600000, 100000: 61000,
                                    10000: 6300})):
        for ye, p50 in lat.items():
            res.append(cell(model, "background", 2, 1.5,
                            {"latency_us": {"p50": p50, "p90": 1.5 * p50, "p99": 2 * p50,
                                            "max": 2.5 * p50},
                             "ops_per_s": 1e6 / (p50 + 1000), "bytecodes_per_s": 1.97e7},
                            yield_every=ye, peer_cpus="1"))
    # seed: the lecture's bob/alice program; not charted, but in the report.
    for model, g in MODELS:
        if g not in (None, "new"):
            continue
        res.append(cell(model, "seed", 2, 0.401 if model == "serial" else 0.301))
    res += later_cells()
    return res


def later_cells():
    """Cells added after the fixture's first numbers were fixed, drawn from a
    random stream of their own so that every earlier number stays the same.
    - bench.sh's "legacy GIL pinned to one core" run: threads under legacy at
      2 tasks with --cpus 0, beside the ordinary (unpinned) cell of the same
      work. Pinned to one CPU the legacy GIL loses less (0.99x, not 0.74x):
      the chart must draw the ordinary cell and show the pinned one apart.
    - a second GIL policy in a run of serial (seed, gil legacy): the report
      must tell its row from the gil new one."""
    global rng
    saved, rng = rng, random.Random(14)
    res = [cell("threads", "cpu", 2, 1.0 / 0.99,
                {"speedup": 0.99, "efficiency": 0.99 / 2, "bytecodes_per_s": 2e7 * 0.99,
                 "ops_per_s": 2e7 * 0.99, "peak_rss_kib": 4260,
                 "gil": gil(0.97, 0.04, 400, 380)},
                gil="legacy", cpus="0"),
           cell("serial", "seed", 2, 0.402, gil="legacy")]
    rng = saved
    return res


WORK_KEYS = ("tasks", "work", "native_fraction", "io", "io_time_s", "io_ops", "burst", "think_s")


def consistent_speedups(results):
    """A cell's speedup is its serial's median wall over its own, as gilbench
    computes it (and recomputes it when a reader merges repeated cells): the
    serial (cpython-serial for CPython) cell doing the same work."""
    for c in results:
        if c["status"] != "ok" or "speedup" not in c["metrics"]:
            continue
        serial = "cpython-serial" if c["model"].startswith("cpython-") else "serial"
        for s in results:
            if s["model"] == serial and s["workload"] == c["workload"] and s["status"] == "ok" \
                    and all(s["params"].get(k) == c["params"].get(k) for k in WORK_KEYS):
                sp = s["metrics"]["wall_s"]["median"] / c["metrics"]["wall_s"]["median"]
                c["metrics"]["speedup"] = sp
                c["metrics"]["efficiency"] = sp / min(c["params"]["tasks"], 2)
                break
    return results


def doc(results, context=CONTEXT):
    return {"schema_version": 1, "context": context, "results": consistent_speedups(results)}


def cpython():
    """What scripts/cpython/ writes: the same workloads on real CPython."""
    ctx = dict(CONTEXT, python_version="3.11.2",
               modules={"gevent": "22.10.2", "numpy": "1.24.2"},
               command="python3 scripts/cpython/run.py (fixture)")
    del ctx["commands"], ctx["gilbench_version"]
    res = []
    for model, sp in (("cpython-serial", {1: 1.0}),
                      ("cpython-threads", {1: 0.99, 2: 0.91, 4: 0.88}),
                      ("cpython-processes", {1: 0.95, 2: 1.81, 4: 1.77})):
        for t, s in sp.items():
            wall = 1.3 / s
            extra = {"speedup": s, "efficiency": s / t}
            # One cell without a speedup: plot derives it from cpython-serial.
            if model == "cpython-processes" and t == 4:
                extra = {}
            res.append(cell(model, "cpu", t, wall, extra))
    for f, s in ((0.25, 1.08), (0.5, 1.52), (0.75, 1.71), (1.0, 1.80)):
        res.append(cell("cpython-threads", "cpu", 2, 1.3 / s, {"speedup": s},
                        native_fraction=f))
    for model, lat in (("cpython-threads", {1: (45, 120), 2: (5200, 10400), 3: (10300, 15800)}),
                       ("cpython-greenlets", {1: (40, 95), 2: (712000, 1500000)})):
        for t, (p50, p99) in lat.items():
            res.append(cell(model, "background", t, 1.5 * max(t - 1, 0.02),
                            {"latency_us": {"p50": p50, "p90": (p50 + p99) / 2, "p99": p99,
                                            "max": 1.3 * p99}}))
    return doc(res, ctx)


def trace_procs():
    """The processes model: two worker processes, each its own GIL, both busy."""
    ev = []
    for k, pid in enumerate((4101, 4102)):
        t = 200000 * k
        ev.append((t, pid, 0, "request"))
        ev.append((t + 5000, pid, 0, "acquire"))
        t += 5000
        for _ in range(6):
            t += 9000000 + rng.randint(0, 400000)
            ev.append((t, pid, 0, "drop_voluntary"))
            ev.append((t + 1000, pid, 0, "io_start"))
            ev.append((t + 300000, pid, 0, "io_end"))
            ev.append((t + 301000, pid, 0, "request"))
            ev.append((t + 302000, pid, 0, "acquire"))
            t += 302000
        ev.append((t + 4000000, pid, 0, "drop_voluntary"))
    ev.sort()
    lines = ["# model=processes workload=cpu tasks=2 (fixture)", "t_ns,pid,thread,event"]
    lines += ["%d,%d,%d,%s" % e for e in ev]
    return "\n".join(lines) + "\n"


def trace():
    """New-GIL convoy: thread 0 echoes (I/O), threads 1 and 2 burn CPU, 5 ms interval."""
    ev = []
    t = 0
    holder = 1
    ev.append((0, 1, "acquire"))
    ev.append((10000, 2, "request"))
    ev.append((20000, 0, "io_start"))
    io_end = 20000 + 400000
    fg_waiting = False
    while t < 60e6:
        # the holder runs until a waiter's 5 ms timeout forces a drop
        t_drop = t + 5000000 + rng.randint(0, 80000)
        if not fg_waiting and io_end < t_drop:
            ev.append((io_end, 0, "io_end"))
            ev.append((io_end + 2000, 0, "request"))
            fg_waiting = True
        ev.append((t_drop - 30000, 2 if holder == 1 else 1, "drop_request"))
        ev.append((t_drop, holder, "drop_forced"))
        nxt = 0 if fg_waiting and rng.random() < 0.5 else (2 if holder == 1 else 1)
        ev.append((t_drop + 15000, nxt, "acquire"))
        ev.append((t_drop + 20000, holder, "request"))
        t = t_drop + 15000
        if nxt == 0:
            fg_waiting = False
            ev.append((t + 40000, 0, "drop_voluntary"))
            ev.append((t + 41000, 0, "io_start"))
            io_end = t + 41000 + 400000 + rng.randint(0, 100000)
            other = 2 if holder == 1 else 1
            ev.append((t + 45000, holder, "acquire"))
            t = t + 45000
            ev.append((t + 5000, other, "request"))
        else:
            holder = nxt
            continue
    ev.sort()
    lines = ["# model=threads workload=background gil=new tasks=3 (fixture)",
             "t_ns,thread,event"]
    lines += ["%d,%d,%s" % e for e in ev]
    return "\n".join(lines) + "\n"


def jsonl(csv):
    """The same trace as `gilbench run --trace X.jsonl` writes it (host/run.c):
    a header object, then one object per event, every event of one process."""
    head = {"gilbench_trace": 1, "model": "threads", "workload": "background", "gil": "new",
            "tasks": 3, "switch_interval_s": 0.005, "t0_ns": 5000000000, "events": 0,
            "lost_events": 0}
    ev = [l.split(",") for l in csv.splitlines()[2:]]
    head["events"] = len(ev)
    out = [json.dumps(head, separators=(",", ":"))]
    out += [json.dumps({"t_ns": int(t), "pid": 4242, "thread": int(th), "event": e},
                       separators=(",", ":")) for t, th, e in ev]
    return "\n".join(out) + "\n"


def main():
    new = build()
    base = [c for c in build(slow=1 / 1.08) if c["workload"] in ("cpu", "background")]
    with open(os.path.join(OUT, "results.json"), "w") as f:
        json.dump(doc(new), f, indent=2, sort_keys=True)
        f.write("\n")
    with open(os.path.join(OUT, "base.json"), "w") as f:
        json.dump(doc(base), f, indent=2, sort_keys=True)
        f.write("\n")
    tr = trace()
    with open(os.path.join(OUT, "trace.csv"), "w") as f:
        f.write(tr)
    with open(os.path.join(OUT, "trace.jsonl"), "w") as f:
        f.write(jsonl(tr))
    with open(os.path.join(OUT, "cpython.json"), "w") as f:
        json.dump(cpython(), f, indent=2, sort_keys=True)
        f.write("\n")
    with open(os.path.join(OUT, "trace_procs.csv"), "w") as f:
        f.write(trace_procs())


if __name__ == "__main__":
    main()
