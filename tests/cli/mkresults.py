"""Writes a synthetic gilbench result file for tests/cli/compare_rules.sh.

usage: mkresults.py OUT [--cells N] [--n N] [--all-metrics FACTOR]
                        [KEY=v1,v2,...]... [--dup KEY=v1,...]

One serial/cpu cell (or N cells that differ in `work`) with the samples
given; --all-metrics FACTOR fills every compared metric with n tight
samples scaled by FACTOR; --dup appends a second copy of the first cell
with other samples and another bound_cpus, as two sweeps would write it.
"""
import json
import sys

METRICS = ["wall_s", "cpu_s", "ops_per_s", "bytecodes_per_s", "speedup", "latency_p50_us",
           "latency_p90_us", "latency_p99_us", "latency_max_us", "mem_per_task_kib",
           "gil_held_frac", "gil_wait_frac", "gil_wait_max_us", "gil_acquisitions",
           "gil_drop_requests", "gil_forced_switches", "gil_futile_wakeups", "gil_switches"]


# Typical magnitudes, so that a scaled change also clears each metric's
# grain (bench/metrics.c): 20% of 1 KiB per task is below memory's.
SCALE = {"mem_per_task_kib": 4096, "gil_held_frac": 0.5, "gil_wait_frac": 0.5}


def cell(work, samples, bound="0"):
    return {"model": "serial", "workload": "cpu", "status": "ok",
            "params": {"tasks": 1, "gil": "new", "switch_interval_s": 0.005,
                       "native_fraction": 0.0, "placement": "compact", "cpus": "all",
                       "work": work, "reps": len(samples.get("wall_s", [])), "warmup": 0,
                       "bound_cpus": bound},
            "samples": samples, "metrics": {}}


def parse(spec):
    key, vals = spec.split("=", 1)
    return key, [float(v) for v in vals.split(",")]


def main(argv):
    out, args = argv[1], argv[2:]
    ncells, n, factor, samples, dup = 1, 5, None, {}, None
    i = 0
    while i < len(args):
        a = args[i]
        if a == "--cells":
            ncells = int(args[i + 1]); i += 2; continue
        if a == "--n":
            n = int(args[i + 1]); i += 2; continue
        if a == "--all-metrics":
            factor = float(args[i + 1]); i += 2; continue
        if a == "--dup":
            k, v = parse(args[i + 1]); dup = {k: v}; i += 2; continue
        k, v = parse(a)
        samples[k] = v
        i += 1
    if factor is not None:
        for k in METRICS:
            samples[k] = [SCALE.get(k, 1) * factor * (1 + 0.001 * ((j * 7) % 5 - 2)) for j in range(n)]
    doc = {"schema_version": 1,
           "context": {"date": "2026-11-25T06:40:00Z", "host": "synthetic", "cpu_model": "x",
                       "kernel": "x", "compiler": "x", "git_sha": "0", "gilbench_version": "0",
                       "hwloc_version": "0", "command": "mkresults.py",
                       "topology": {"packages": 1, "cores": 2, "pus": 2, "numa_nodes": 1,
                                    "caches": []}},
           "results": [cell(1000 + c, dict(samples)) for c in range(ncells)]}
    if dup:
        doc["results"].append(cell(1000, dup, bound="1"))
    json.dump(doc, open(out, "w"), indent=1)


main(sys.argv)
