"""Writes the synthetic result files of tests/cli/fidelity.sh (see README.md).

Values are chosen by hand so that every ratio, and so every verdict, is
known in advance; only the fields `gilbench fidelity` reads are filled.
usage: python3 gen.py   (in this directory)
"""
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "../../../scripts/cpython"))
import gbresult  # noqa: E402  (metrics as reference.py writes them: the files are schema-valid)

CONTEXT = {"date": "2025-01-01T00:00:00Z", "host": "test", "cpu_model": "test", "kernel": "test",
           "compiler": "test", "git_sha": "test", "gilbench_version": "0.1.0",
           "hwloc_version": "test", "cpus_online": 2,
           "topology": {"packages": 1, "cores": 2, "pus": 2, "numa_nodes": 1, "caches": []}}
BASE = {"tasks": 2, "gil": "new", "switch_interval_s": 0.005, "native_fraction": 0.0,
        "placement": "compact", "cpus": "all", "check_every": 1, "work": 20000000, "io": "sleep",
        "io_time_s": 0.1, "io_ops": 1, "burst": 15000000, "think_s": 0.001, "yield_every": 0,
        "echo_bytes": 64, "peer_delay_s": 5e-05, "reps": 3, "warmup": 1}


def cell(model, workload, wall, lat=None, status="ok", **params):
    p = dict(BASE, **params)
    c = {"model": model, "workload": workload, "params": p, "status": status,
         "samples": {}, "metrics": {}}
    if status != "ok":
        c["error"] = "synthetic"
        return c
    c["samples"]["wall_s"] = [wall * f for f in (0.99, 1.0, 1.01)]
    c["samples"]["cpu_s"] = list(c["samples"]["wall_s"])
    if lat:
        c["samples"]["latency_p50_us"] = [lat[0]] * 3
        c["samples"]["latency_p90_us"] = [lat[1]] * 3
        c["samples"]["latency_p99_us"] = [lat[1]] * 3
        c["samples"]["latency_max_us"] = [lat[1]] * 3
    gbresult.cell_metrics(c)
    return c


def real(cells):
    out = []
    for c in cells:
        c = json.loads(json.dumps(c))
        c["model"] = "cpython-" + c["model"]
        c["params"].update(gil="new312", placement="none")
        out.append(c)
    return out


sim = [
    cell("serial", "cpu", 1.0),
    cell("threads", "cpu", 1.0),                                  # speedup 1.0
    cell("processes", "cpu", 0.5),                                # speedup 2.0
    cell("threads", "cpu", 2.0, gil="legacy"),                    # never paired: not CPython's GIL
    cell("serial", "cpu", 1.0, native_fraction=0.5),
    cell("threads", "cpu", 0.6, native_fraction=0.5),             # native_speedup 1.6667
    cell("threads", "background", 0.4, lat=(10000, 11000)),       # convoy 2.0 and 2.2
    cell("threads", "io", 0.11, tasks=10),                        # io_overhead 1.1
    cell("serial", "io", 0.2, tasks=10, io="echo", io_ops=200),
    cell("threads", "io", 0.05, tasks=10, io="echo", io_ops=200),  # io_speedup 4.0
    cell("serial", "seed", 0.4),                                  # seed_overhead 1.3333
    cell("threads", "seed", 0.3),                                 # seed_overhead 1.0
    cell("greenlets", "cpu", 1.0, tasks=4),                       # real one failed
]
# The same ratios within 25% from other absolute times.
agree = real([
    cell("serial", "cpu", 2.0),
    cell("threads", "cpu", 2.1),                                  # 0.9524: q 1.05
    cell("processes", "cpu", 1.0),                                # 2.0: q 1.0
    cell("serial", "cpu", 2.0, native_fraction=0.5),
    cell("threads", "cpu", 1.2, native_fraction=0.5),             # 1.6667: q 1.0
    cell("threads", "background", 0.5, lat=(10500, 11000)),       # 2.1, 2.2: q 0.952, 1.0
    cell("threads", "io", 0.12, tasks=10),                        # 1.2: q 0.9167
    cell("serial", "io", 0.4, tasks=10, io="echo", io_ops=200),
    cell("threads", "io", 0.1, tasks=10, io="echo", io_ops=200),  # 4.0: q 1.0
    cell("serial", "seed", 0.401),                                # 1.3367: q 0.9975
    cell("threads", "seed", 0.3),                                 # 1.0: q 1.0
    cell("threads", "cpu", 2.1),                                  # repeats results[1]: ignored
    cell("asyncio", "io", 0.11, tasks=10000),                     # no simulated counterpart
    cell("greenlets", "cpu", 0, status="failed", tasks=4),        # not compared
])
# As agree, but the processes speedup is 2.0 / 1.4: sim/real = 1.4, off by 40%.
off = json.loads(json.dumps(agree))
off[2]["samples"]["wall_s"] = [1.4 * f for f in (0.99, 1.0, 1.01)]

for name, cells in (("sim.json", sim), ("real.json", agree), ("real_off.json", off)):
    with open(name, "w") as f:
        json.dump({"schema_version": 1, "context": CONTEXT, "results": cells}, f, indent=1,
                  sort_keys=True)
        f.write("\n")
