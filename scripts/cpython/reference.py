#!/usr/bin/python3
"""reference.py - runs gilbench's workloads on real CPython and writes a
gilbench result file (schema_version 1) whose models are cpython-serial,
-threads, -processes, -greenlets, -asyncio and -callbacks, for
`gilbench fidelity SIM.json REAL.json` and the charts' overlay.

It decides what runs (a matrix: --matrix default mirrors scripts/bench.sh's
sweeps, or cells from -m/-w/-t/... as `gilbench run` takes them),
calibrates the units, starts one fresh interpreter per repetition
(repetition.py), enforces the per-cell timeout and writes the file
atomically after every cell. The workloads are workloads.py's, the models
models.py's, the statistics gbresult.py's.

usage: reference.py --gilbench PATH [--matrix default|quick] [-o FILE] [options]   (--help)
"""

import argparse
import json
import os
import signal
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)

import gbresult  # noqa: E402
import models  # noqa: E402
import workloads as wl  # noqa: E402

# gilbench's COMPUTE bytecode on a quiet machine (`gilbench micro`, op
# "bytecode", ~27 ns here): what one bytecode of work stands for.
BYTECODE_NS = 27.0
# The fixed units, from minima measured side by side with `gilbench micro`
# on this machine (spin: 14.5-17 ns per iteration; np.sin on float128:
# 103-111 ns per element; the bytecode 27.6 ns): fixed, so that every
# reference run does the same work however loaded the calibration moment
# was. --calibrate uses this run's own minima instead.
ITERS_PER_BYTECODE = 1.8
ELEMS_PER_UNIT = 0.25


def calibrate(args):
    """The units, measured in a fresh interpreter (repetition.py --calibrate)
    so that this process stays small: a repetition's exec'd image inherits
    its parent's RSS high-water mark."""
    cmd = [args.python, "-E", "-s", os.path.join(HERE, "repetition.py"), "--calibrate",
           str(args.bytecode_ns)]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    if out.returncode != 0:
        raise SystemExit("gilbench: reference.py: calibration failed: %s"
                         % (out.stderr.strip().splitlines() or [out.returncode])[-1])
    cal = json.loads(out.stdout.strip().splitlines()[-1])
    units = cal["units"]
    units["source"] = "measured by this run (--calibrate)"
    if not args.calibrate:
        units["measured_iters_per_bytecode"] = units["iters_per_bytecode"]
        units["measured_elems_per_unit"] = units["elems_per_unit"]
        units["iters_per_bytecode"] = ITERS_PER_BYTECODE
        units["elems_per_unit"] = ELEMS_PER_UNIT
        units["source"] = "fixed (reference.py); the measured_* figures are this run's"
    if args.iters_per_bytecode:
        units["iters_per_bytecode"] = args.iters_per_bytecode
        units["source"] = "given (--iters-per-bytecode)"
    if args.elems_per_unit:
        units["elems_per_unit"] = args.elems_per_unit
    return units, cal["modules"]


# ---- the matrix ----------------------------------------------------------------

ALL = list(models.MODELS)
COOP = ["greenlets", "asyncio", "callbacks"]


def _grid(models_, workloads_, lists, base):
    """Every combination of the comma lists, as gilbench's cli expands them."""
    cells = [dict(base)]
    for key, values in lists.items():
        cells = [dict(c, **{key: v}) for c in cells for v in values]
    return [(m, w, c) for w in workloads_ for c in cells for m in models_]


def matrix_default(d):
    """scripts/bench.sh's default sweeps, less the simulator-only ones (GIL
    policies, pinning), serial io above 10 tasks (100 s of sleeping whose
    answer is known: tasks x io_time) and processes io at 1000 tasks (1000
    forked interpreters: 80-100 ms each on this VM under load, beyond the
    cell timeout). No warm-up: every repetition is a fresh interpreter
    anyway, and the calibration has warmed the page cache."""
    r3 = {"reps": 3, "warmup": 0}
    burst = dict(d, burst=15_000_000)
    cells = []
    cells += [(m, w, dict(p, reps=3, warmup=0)) for m, w, p in _grid(ALL, ["seed"], {}, d)]
    cells += [(m, w, dict(p, **r3)) for m, w, p in _grid(ALL, ["cpu"], {"tasks": [1, 2, 4]}, d)]
    cells += [(m, w, dict(p, **r3)) for m, w, p in _grid(ALL, ["io"], {"tasks": [1, 10, 100, 1000]}, d)
              if not (m == "serial" and p["tasks"] > 10) and not (m == "processes" and p["tasks"] > 100)]
    cells += [(m, w, dict(p, **r3)) for m, w, p in _grid(COOP, ["io"], {"tasks": [10000]}, d)]
    cells += [(m, w, dict(p, **r3)) for m, w, p in
              _grid(ALL, ["io"], {"tasks": [1, 10]}, dict(d, io="echo", io_ops=200))]
    cells += [(m, w, dict(p, **r3)) for m, w, p in _grid(ALL, ["background"], {"tasks": [1, 2, 3]}, burst)]
    cells += [(m, w, dict(p, **r3)) for m, w, p in
              _grid(["threads"], ["background"],
                    {"switch_interval_s": [0.0005, 0.001, 0.002, 0.005, 0.01, 0.02]}, burst)]
    cells += [(m, w, dict(p, **r3)) for m, w, p in
              _grid(["threads"], ["cpu"], {"native_fraction": [0.0, 0.25, 0.5, 0.75, 0.9]}, d)]
    return cells


def matrix_quick(d):
    """scripts/bench.sh's quick sweeps (--quick work and bursts)."""
    q = {"reps": 3, "warmup": 0}
    cells = []
    cells += [(m, w, dict(p, reps=2, warmup=0)) for m, w, p in _grid(ALL, ["seed"], {}, d)]
    cells += [(m, w, dict(p, **q)) for m, w, p in _grid(ALL, ["cpu"], {"tasks": [1, 2]}, d)]
    cells += [(m, w, dict(p, **q)) for m, w, p in
              _grid(ALL, ["io"], {"tasks": [1, 100]}, dict(d, io_time_s=0.05))]
    cells += [(m, w, dict(p, **q)) for m, w, p in _grid(ALL, ["background"], {"tasks": [1, 2]}, d)]
    cells += [(m, w, dict(p, **q)) for m, w, p in
              _grid(["threads"], ["background"], {"switch_interval_s": [0.001, 0.005]}, d)]
    cells += [(m, w, dict(p, **q)) for m, w, p in
              _grid(["threads"], ["cpu"], {"native_fraction": [0.5, 0.9]}, d)]
    return cells


def matrix_args(args, d):
    lists = {"tasks": args.tasks, "switch_interval_s": args.switch_interval,
             "native_fraction": args.native_fraction, "yield_every": args.yield_every}
    lists = {k: v for k, v in lists.items() if v}
    base = dict(d, reps=args.reps or (3 if args.quick else 5),
                warmup=args.warmup if args.warmup is not None else (0 if args.quick else 1))
    for key, val in (("work", args.work), ("io", args.io), ("io_time_s", args.io_time),
                     ("io_ops", args.io_ops), ("burst", args.burst), ("think_s", args.think),
                     ("peer_delay_s", args.peer_delay)):
        if val is not None:
            base[key] = val
    return _grid(args.model, args.workload, lists, base)


def dedupe(cells):
    """A cell two sweeps share (threads cpu t=2 in scaling and native
    fraction) runs once."""
    out, seen = [], set()
    for m, w, p in cells:
        key = (m, w, tuple(sorted((k, v) for k, v in p.items() if k not in gbresult.VOLATILE_KEYS)))
        if key not in seen:
            seen.add(key)
            out.append((m, w, p))
    return out


def add_serial_baselines(cells):
    """As gilbench run: every cpu cell gets the serial cell doing its work."""
    out, seen = list(cells), set()
    for m, w, p in cells:
        if w == "cpu" and m == "serial":
            seen.add(tuple(p.get(k) for k in gbresult.WORK_KEYS))
    for m, w, p in cells:
        key = tuple(p.get(k) for k in gbresult.WORK_KEYS)
        if w == "cpu" and m != "serial" and key not in seen:
            seen.add(key)
            out.append(("serial", w, dict(p)))
    return out


# ---- running -------------------------------------------------------------------


def gil_name():
    # 3.2-3.12 keep one interpreter-wide drop request: gilbench's new312.
    return "new" if sys.version_info >= (3, 13) else "new312"


# The simulator's knobs real CPython has an answer to: its own GIL, no pinning,
# no shared coroutine stack.
def cpython_knobs():
    return {"gil": gil_name(), "placement": "none", "stack_size": 0}


def skip_reason(model, workload, p):
    if model == "serial" and workload == "background" and p["tasks"] > 1:
        return "serial runs one task after another: the foreground would never see the background end"
    try:
        wl.build(workload, p)
    except ValueError as e:
        return str(e)
    return None


def run_rep(args, spec, deadline):
    """One repetition in a fresh interpreter: (sample, None) or (None, (status, why))."""
    left = deadline - time.monotonic()
    if left <= 0:
        return None, ("timeout", "timed out after %g s (--timeout)" % args.timeout)
    cmd = [args.python, "-E", "-s", os.path.join(HERE, "repetition.py"), json.dumps(spec)]
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1")
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True, env=env)
    try:
        out, err = proc.communicate(timeout=left)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)  # its workers and peer too
        proc.communicate()
        return None, ("timeout", "timed out after %g s (--timeout)" % args.timeout)
    except BaseException:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        raise
    try:
        os.killpg(proc.pid, signal.SIGKILL)  # a straggling worker must not outlive its cell
    except ProcessLookupError:
        pass
    lines = out.strip().splitlines()
    if proc.returncode != 0 or not lines:
        why = (err.strip().splitlines() or ["exit status %d" % proc.returncode])[-1]
        if proc.returncode < 0:
            why = "killed by signal %d" % -proc.returncode
        return None, ("failed", why)
    try:
        return json.loads(lines[-1]), None
    except ValueError:
        return None, ("failed", "the repetition printed no sample")


def run_cell(args, units, model, workload, p):
    cell = {"model": "cpython-" + model, "workload": workload, "params": gbresult.params_json(p, cpython_knobs()),
            "status": "ok", "samples": {}, "metrics": {}}
    why = skip_reason(model, workload, p)
    if why:
        cell.update(status="skipped", error=why)
        return cell
    spec = {"model": model, "workload": workload, "params": p, "units": units}
    deadline = time.monotonic() + args.timeout
    for rep in range(p["warmup"] + p["reps"]):
        sample, bad = run_rep(args, spec, deadline)
        if bad:
            cell.update(status=bad[0], error=bad[1], samples={})
            return cell
        if rep >= p["warmup"]:
            gbresult.add_sample(cell["samples"], sample)
    return cell


def label(model, workload, p, d):
    keys = ("tasks", "switch_interval_s", "native_fraction", "io", "io_ops", "burst", "work")
    extra = " ".join("%s=%s" % (k, p[k]) for k in keys if k == "tasks" or p[k] != d[k])
    return "cpython-%s/%s %s" % (model, workload, extra)


def finish(doc, path, cpus):
    for c in doc["results"]:
        if c["status"] == "ok":
            gbresult.cell_metrics(c)
    gbresult.add_speedups(doc, "cpython-serial", cpus)
    gbresult.write_atomic(path, doc)


class _Parser(argparse.ArgumentParser):
    """Bad input is one line, as gilbench's: `gilbench: reference.py: what`."""

    def error(self, message):
        sys.stderr.write("gilbench: reference.py: %s (try --help)\n" % message)
        sys.exit(1)


def parse_args(argv):
    def floats(s):
        return [float(x) for x in s.split(",")]

    def ints(s):
        return [int(x) for x in s.split(",")]

    def names(allowed):
        def f(s):
            out = s.split(",")
            for x in out:
                if x not in allowed:
                    raise argparse.ArgumentTypeError("'%s' is not one of %s" % (x, ", ".join(allowed)))
            return out
        return f

    ap = _Parser(
        prog="reference.py",
        description="Runs gilbench's workloads on real CPython (threading, multiprocessing, gevent, "
                    "asyncio, callbacks, NumPy) and writes a gilbench result file.")
    ap.add_argument("--matrix", choices=("default", "quick"),
                    help="bench.sh's sweeps (default: the full ones); without it, the cells of -m/-w/-t...")
    ap.add_argument("-o", "--output", default=os.path.join(SRC, "results", "reference", "results.json"))
    ap.add_argument("--python", default=sys.executable, help="interpreter for the repetitions")
    ap.add_argument("--gilbench", default=os.environ.get("GILBENCH"),
                    help="the gilbench binary, whose `list --json` gives the parameters "
                         "(default: $GILBENCH)")
    ap.add_argument("-m", "--model", type=names(models.MODELS), default=ALL)
    ap.add_argument("-w", "--workload", type=names(wl.WORKLOADS), default=list(wl.WORKLOADS))
    ap.add_argument("-t", "--tasks", type=ints)
    ap.add_argument("--switch-interval", type=floats)
    ap.add_argument("--native-fraction", type=floats)
    ap.add_argument("--yield-every", type=ints)
    ap.add_argument("--work", type=int)
    ap.add_argument("--io", choices=("sleep", "echo"))
    ap.add_argument("--io-time", type=float)
    ap.add_argument("--io-ops", type=int)
    ap.add_argument("--burst", type=int)
    ap.add_argument("--think", type=float)
    ap.add_argument("--peer-delay", type=float)
    ap.add_argument("-r", "--reps", type=int)
    ap.add_argument("--warmup", type=int)
    ap.add_argument("--quick", action="store_true", help="smaller work and fewer repetitions")
    ap.add_argument("--timeout", type=float, default=60.0, help="per cell, seconds (default 60)")
    ap.add_argument("--no-baseline", action="store_true", help="no serial cells for cpu speedups")
    ap.add_argument("--bytecode-ns", type=float, default=BYTECODE_NS,
                    help="what one gilbench bytecode costs (default %g ns)" % BYTECODE_NS)
    ap.add_argument("--calibrate", action="store_true",
                    help="size the work from this run's measured costs, not the fixed units")
    ap.add_argument("--iters-per-bytecode", type=float,
                    help="spin iterations per gilbench bytecode (default %g)" % ITERS_PER_BYTECODE)
    ap.add_argument("--elems-per-unit", type=float,
                    help="native elements per gilbench native unit (default %g)" % ELEMS_PER_UNIT)
    ap.add_argument("--append", action="store_true",
                    help="add the cells to an existing output file (its context is kept)")
    ap.add_argument("-q", "--quiet", action="store_true")
    args = ap.parse_args(argv)
    for name in ("reps", "warmup", "work", "io_ops", "burst"):
        v = getattr(args, name)
        if v is not None and v < (0 if name == "warmup" else 1):
            ap.error("--%s: %d is out of range" % (name.replace("_", "-"), v))
    if args.timeout <= 0:
        ap.error("--timeout must be above 0")
    if any(not 0 <= f <= 1 for f in args.native_fraction or ()):
        ap.error("--native-fraction: each must be within 0..1")
    if any(s <= 0 for s in args.switch_interval or ()):
        ap.error("--switch-interval: each must be above 0")
    if any(t < 1 for t in args.tasks or ()):
        ap.error("--tasks: each must be 1 or more")
    return args


def main(argv):
    args = parse_args(argv)
    gbresult.load_params(args.gilbench)
    d = gbresult.defaults(args.quick or args.matrix == "quick")
    if args.matrix == "default":
        cells = matrix_default(d)
    elif args.matrix == "quick":
        cells = matrix_quick(d)
    else:
        cells = matrix_args(args, d)
    if not args.no_baseline:
        cells = add_serial_baselines(cells)
    cells = dedupe(cells)
    out_dir = os.path.dirname(os.path.abspath(args.output))
    if args.output != "-":
        os.makedirs(out_dir, exist_ok=True)

    old = None
    if args.append and args.output != "-" and os.path.exists(args.output):
        try:
            with open(args.output) as f:
                old = json.load(f)
            if not isinstance(old.get("results"), list) or not isinstance(old.get("context"), dict):
                raise ValueError("not a result file")
        except (OSError, ValueError, AttributeError) as e:
            raise SystemExit("gilbench: %s: cannot append: %s" % (args.output, e))
    units, modules = calibrate(args)
    extra = {
        "command": " ".join(["reference.py"] + argv),
        "reference": "real CPython (scripts/cpython)",
        "python": {"version": sys.version.split()[0], "implementation": sys.implementation.name,
                   "executable": args.python, "build": " ".join(sys.version.split()[1:])},
        "modules": modules,
        "gil_shape": gil_name(),
        "calibration": units,
    }
    doc = {"schema_version": 1, "context": gbresult.context(SRC, extra), "results": []}
    if old:
        doc["context"], doc["results"] = old["context"], old["results"]
    cpus = doc["context"]["cpus_online"]
    start = time.monotonic()
    if not args.quiet:
        sys.stderr.write("reference: %d cells; %.3g spin iterations per bytecode (measured: %.1f ns "
                         "each), %.3g native elements per unit\n"
                         % (len(cells), units["iters_per_bytecode"], units["spin_iter_ns_min"],
                            units["elems_per_unit"]))
    failed = 0
    for n, (m, w, p) in enumerate(cells, 1):
        t = time.monotonic()
        cell = run_cell(args, units, m, w, p)
        doc["results"].append(cell)
        if args.output != "-":  # after every cell, so an interrupted run keeps them
            finish(doc, args.output, cpus)
        failed += cell["status"] in ("failed", "timeout")
        if not args.quiet:
            what = cell["status"] if cell["status"] != "ok" else "%.3g s" % gbresult.median(
                cell["samples"]["wall_s"])
            if cell["status"] != "ok":
                what += ": " + cell.get("error", "")
            sys.stderr.write("reference: [%d/%d] %s: %s (%.0f s, total %.0f s)\n"
                             % (n, len(cells), label(m, w, p, d), what, time.monotonic() - t,
                                time.monotonic() - start))
    if args.output == "-" or not cells:
        finish(doc, args.output, cpus)
    if not args.quiet:
        sys.stderr.write("reference: done in %.0f s: %s\n" % (time.monotonic() - start, args.output))
    return 2 if failed else 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except KeyboardInterrupt:
        sys.stderr.write("reference: interrupted; finished cells are in the output file\n")
        sys.exit(130)
