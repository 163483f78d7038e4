"""gbresult.py - what the CPython reference runs share with gilbench's result
files: the statistics of bench/results/stats.c (median, MAD, CI of the
median, outliers, noise flags), the per-cell metrics of
bench/results/report_json.c (their keys, paths and reductions read from
`gilbench list --json`, that is bench/results/metrics.def), the speedup
against the serial cell, the machine context, and the atomic write.

It measures nothing and runs no workload (repetition.py and models.py do);
it only turns raw samples into schema_version 1 JSON
(results/schema/result-v1.json). Keep the formulas in step with stats.c and
report_json.c: `gilbench fidelity` and `gilbench compare` read both kinds of
file the same way.
"""

import datetime
import glob
import json
import math
import os
import platform
import socket
import subprocess
import sys
import tempfile

NOISY_CV = 0.05
DETECT_CHANGE = 0.05

# ---- statistics (bench/results/stats.c) ------------------------------------------------


def quantile_sorted(s, q):
    """Type 7 (linear) quantile of sorted data, as stats_quantile_sorted."""
    n = len(s)
    if q <= 0:
        return s[0]
    if q >= 1:
        return s[-1]
    h = (n - 1) * q
    lo = int(math.floor(h))
    if lo + 1 >= n:
        return s[-1]
    return s[lo] + (h - lo) * (s[lo + 1] - s[lo])


def median(xs):
    return quantile_sorted(sorted(xs), 0.5)


def _binom_half_cdf(n, k):
    ln_half_n = n * math.log(0.5)
    total = 0.0
    for i in range(0, min(k, n) + 1):
        total += math.exp(math.lgamma(n + 1) - math.lgamma(i + 1) - math.lgamma(n - i + 1) + ln_half_n)
    return min(total, 1.0)


def median_ci(s, conf=0.95):
    """Order-statistic CI of the median of sorted s (distribution-free), and
    the level it really has (below conf when n is too small to reach it)."""
    n = len(s)
    tail, eps, l = 1 - conf, 1e-12, 1
    while l + 1 <= n + 1 - (l + 1) and 2 * _binom_half_cdf(n, l) <= tail + eps:
        l += 1
    return s[l - 1], s[n - l], 1 - 2 * _binom_half_cdf(n, l - 1)


def _norm_isf(p):
    lo, hi = -40.0, 40.0
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        if 0.5 * math.erfc(mid / math.sqrt(2.0)) > p:
            lo = mid
        else:
            hi = mid
    return 0.5 * (lo + hi)


def reps_needed(cv, change, alpha=0.05):
    """As gb_stats_reps_needed: U-test repetitions for 80% power."""
    are = 3 / math.pi
    z_a, z_b = _norm_isf(alpha / 2), _norm_isf(0.2)
    nmin = 2
    while nmin < 1000:
        lc = math.lgamma(2 * nmin + 1) - 2 * math.lgamma(nmin + 1)
        if min(1.0, 2 * math.exp(-lc)) < alpha:
            break
        nmin += 1
    if not change > 0:
        return None
    need = math.ceil(2 * (z_a + z_b) ** 2 * (abs(cv) / change) ** 2 / are)
    if not need < 1e9:
        return None
    return max(need, nmin)


def summarize(xs):
    s = sorted(xs)
    n = len(s)
    mean = sum(s) / n
    stddev = math.sqrt(sum((v - mean) ** 2 for v in s) / (n - 1)) if n > 1 else 0.0
    cv = stddev / abs(mean) if mean != 0 else 0.0
    med = quantile_sorted(s, 0.5)
    mad = quantile_sorted(sorted(abs(v - med) for v in s), 0.5)
    lo, hi, level = median_ci(s)
    q1, q3 = quantile_sorted(s, 0.25), quantile_sorted(s, 0.75)
    iqr = q3 - q1
    outliers = sum(1 for v in s if v < q1 - 1.5 * iqr or v > q3 + 1.5 * iqr)
    need = reps_needed(cv, DETECT_CHANGE)
    out = {"n": n, "median": med, "mean": mean, "stddev": stddev, "mad": mad,
           "min": s[0], "max": s[-1], "ci": [lo, hi], "ci_level": level, "cv": cv,
           "outliers": outliers, "noisy": cv > NOISY_CV,
           "too_few": need is None or n < need}
    # ci95 only where it is one (6 samples or more), as gilbench writes it
    if level >= 0.95:
        out["ci95"] = [lo, hi]
    return out


def summary_ci(summ):
    """(lo, hi, level) of a summary, as gb_summary_ci: ci with ci_level, else
    the ci95 of older files (its level from n when ci_level is absent), else
    None."""
    ci = summ.get("ci")
    if not (isinstance(ci, list) and len(ci) == 2):
        ci = summ.get("ci95")
    if not (isinstance(ci, list) and len(ci) == 2):
        return None
    level = summ.get("ci_level")
    if not isinstance(level, (int, float)):
        n = summ.get("n") or 0
        level = median_ci(list(range(n)))[2] if n > 0 else float("nan")
    return ci[0], ci[1], level


def summary_warning(summ, metric):
    if not summ["noisy"] and not summ["too_few"]:
        return None
    parts = []
    if summ["noisy"]:
        parts.append("cv %.1f%% above %.0f%%" % (100 * summ["cv"], 100 * NOISY_CV))
    if summ["too_few"]:
        need = reps_needed(summ["cv"], DETECT_CHANGE)
        if need is None:
            parts.append("%d repetitions cannot detect a %.0f%% change" % (summ["n"], 100 * DETECT_CHANGE))
        else:
            parts.append("%d repetitions, %d needed to detect a %.0f%% change"
                         % (summ["n"], need, 100 * DETECT_CHANGE))
    return "%s: %s" % (metric, "; ".join(parts))


def nearest_rank(sorted_values, q):
    """The percentile gilbench's histogram reports (rank ceil(q n)), exact."""
    n = len(sorted_values)
    if q >= 1:
        return sorted_values[-1]
    rank = max(1, math.ceil(q * n))
    return sorted_values[rank - 1]


# ---- cells (bench/results/report_json.c, from bench/results/metrics.def) -----

# Filled by load_params: gilbench's table of metrics (`list --json`'s
# "metrics"): each samples key, where metrics holds it and how.
METRICS = None


def add_sample(samples, sample):
    for k, v in sample.items():
        if isinstance(v, (int, float)) and not isinstance(v, bool):
            samples.setdefault(k, []).append(float(v))


def _reduce(row, xs):
    if row["reduce"] == "summary":
        return summarize(xs)
    if row["reduce"] == "median":
        return median(xs)
    if row["reduce"] == "max":
        return max(xs)
    return None  # "other" (speedup: add_speedups) or none


def cell_metrics(cell):
    """metrics and warnings from the samples, as gb_report_metrics makes them:
    each metrics.def row with a path gets its reduction of its samples (a
    dotted path goes into a group object, made when the group's key has
    samples); a warning for each warning row whose samples are noisy or too
    few."""
    samples = cell["samples"]
    metrics, warnings = {}, []
    for row in METRICS:
        if row["group"] and samples.get(row["key"]):
            metrics.setdefault(row["path"].split(".")[0], {})
    for row in METRICS:
        xs = samples.get(row["key"])
        if not row["path"] or not xs:
            continue
        v = _reduce(row, xs)
        if v is None:
            continue
        head, _, tail = row["path"].partition(".")
        if not tail:
            metrics[head] = v
        elif head in metrics:
            metrics[head][tail] = v
    for row in METRICS:
        xs = samples.get(row["key"])
        if row["compared"] and row["warns"] and xs:
            w = summary_warning(summarize(xs), row["key"])
            if w:
                warnings.append(w)
    cell["metrics"] = metrics
    if warnings:
        cell["warnings"] = warnings
    else:
        cell.pop("warnings", None)


# ---- the parameters (host/params.def, through `gilbench list --json`) ----------

# Filled by load_params: gilbench's table of parameters, and the keys that
# define the work done whatever the model does with it (the "same work" keys).
PARAMS = None
WORK_KEYS = None
VOLATILE_KEYS = None  # how a cell ran, not which cell (reps, warmup, ...)


def load_params(gilbench):
    """Reads the parameters from `GILBENCH list --json`: keys, defaults,
    ranges and roles come from gilbench's params.def, never from a copy."""
    global PARAMS, WORK_KEYS, VOLATILE_KEYS, METRICS
    if not gilbench:
        raise SystemExit("gilbench: reference.py: give --gilbench PATH (or GILBENCH=PATH): "
                         "the parameters come from `gilbench list --json`")
    try:
        out = subprocess.run([gilbench, "list", "--json"], capture_output=True, text=True,
                             timeout=60)
        table = json.loads(out.stdout)["params"] if out.returncode == 0 else None
    except (OSError, ValueError, KeyError, subprocess.SubprocessError) as e:
        raise SystemExit("gilbench: reference.py: %s list --json: %s" % (gilbench, e))
    if not table:
        raise SystemExit("gilbench: reference.py: %s list --json: no params table (exit %d)"
                         % (gilbench, out.returncode))
    metrics = json.loads(out.stdout).get("metrics")
    if not metrics:
        raise SystemExit("gilbench: reference.py: %s list --json: no metrics table" % gilbench)
    METRICS = metrics
    PARAMS = table
    WORK_KEYS = tuple(p["key"] for p in table if p["work"])
    VOLATILE_KEYS = frozenset(p["key"] for p in table if not p["identity"])
    return table


def defaults(quick=False):
    """gb_params_defaults: every parameter that defines an experiment real
    CPython can run too (identity, not a simulator-only knob)."""
    return {p["key"]: p["quick_default"] if quick else p["default"] for p in PARAMS
            if p["identity"] and not p["simulator_only"]}


def params_json(p, cpython):
    """params with gilbench's keys, for pairing and charts: the cell's own
    values, `cpython`'s for the simulator's knobs it has an answer to (the
    GIL, no pinning), the defaults for the others; volatile keys if given."""
    out = {}
    for row in PARAMS:
        k = row["key"]
        if not row["identity"]:
            if k in p:
                out[k] = p[k]
        elif row["simulator_only"]:
            out[k] = cpython.get(k, row["default"])
        else:
            out[k] = p[k]
    return out


def add_speedups(doc, serial_model, cpus):
    """speedup = the serial cell's median wall / each sample's wall."""
    cells = doc["results"]
    for c in cells:
        if c["status"] != "ok":
            continue
        base = None
        for b in cells:
            if (b["model"] == serial_model and b["workload"] == c["workload"] and b["status"] == "ok"
                    and all(b["params"].get(k) == c["params"].get(k) for k in WORK_KEYS)):
                base = b
                break
        if base is None or not base["samples"].get("wall_s"):
            continue
        ref = median(base["samples"]["wall_s"])
        c["samples"]["speedup"] = [ref / w if w > 0 else 0.0 for w in c["samples"]["wall_s"]]
        sp = median(c["samples"]["speedup"])
        c["metrics"]["speedup"] = sp
        tasks = min(c["params"]["tasks"], cpus)
        if tasks >= 1:
            c["metrics"]["efficiency"] = sp / tasks


# ---- context -------------------------------------------------------------------


def _read(path, default=""):
    try:
        with open(path) as f:
            return f.read().strip()
    except OSError:
        return default


def _cpu_model():
    for line in _read("/proc/cpuinfo").splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown"


def _size_kib(text):
    text = text.strip().upper()
    mult = {"K": 1, "M": 1024, "G": 1024 * 1024}
    if text and text[-1] in mult:
        return int(text[:-1]) * mult[text[-1]]
    return int(text or 0) // 1024


def topology():
    """Packages, cores, PUs, NUMA nodes and caches from sysfs (no hwloc here)."""
    cpus = sorted(glob.glob("/sys/devices/system/cpu/cpu[0-9]*"))
    online = [c for c in cpus if os.path.isdir(c + "/topology")]
    packages, cores, caches = set(), set(), {}
    for c in online:
        pkg = _read(c + "/topology/physical_package_id", "0")
        packages.add(pkg)
        cores.add((pkg, _read(c + "/topology/core_id", c)))
        for idx in glob.glob(c + "/cache/index*"):
            ctype = _read(idx + "/type").lower()
            ctype = {"instruction": "instruction", "data": "data"}.get(ctype, "unified")
            key = (int(_read(idx + "/level", "1")), ctype)
            entry = caches.setdefault(key, {"level": key[0], "type": ctype,
                                            "size_kib": _size_kib(_read(idx + "/size", "0")),
                                            "line_bytes": int(_read(idx + "/coherency_line_size", "0") or 0),
                                            "shared": set()})
            entry["shared"].add(_read(idx + "/shared_cpu_list", c))
    cache_list = []
    for key in sorted(caches):
        e = caches[key]
        if e["type"] == "instruction":
            continue  # hwloc's default view, as gilbench's context shows
        cache_list.append({"level": e["level"], "type": e["type"], "size_kib": e["size_kib"],
                           "line_bytes": e["line_bytes"], "count": max(1, len(e["shared"]))})
    return {"packages": max(1, len(packages)), "cores": max(1, len(cores)),
            "pus": max(1, len(online) or os.cpu_count() or 1),
            "numa_nodes": max(1, len(glob.glob("/sys/devices/system/node/node[0-9]*"))),
            "caches": cache_list}


def _git_sha(src):
    try:
        out = subprocess.run(["git", "-C", src, "rev-parse", "--short=12", "HEAD"],
                             capture_output=True, text=True, timeout=10)
        return out.stdout.strip() or "unknown"
    except (OSError, subprocess.SubprocessError):
        return "unknown"


def _gilbench_version(src):
    for line in _read(os.path.join(src, "CMakeLists.txt")).splitlines():
        if "project(gilbench" in line and "VERSION" in line:
            return line.split("VERSION", 1)[1].split()[0].strip(")")
    return "unknown"


def context(src, extra):
    ctx = {
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "host": socket.gethostname(),
        "cpu_model": _cpu_model(),
        "kernel": platform.release(),
        "compiler": platform.python_compiler(),
        "git_sha": _git_sha(src),
        "gilbench_version": _gilbench_version(src),
        "hwloc_version": "none (CPython runs are not pinned)",
        "cpus_online": os.cpu_count() or 1,
        "topology": topology(),
    }
    ctx.update(extra)
    return ctx


# ---- output --------------------------------------------------------------------


def write_atomic(path, doc):
    """A temp file in the same directory, fsync, rename: never half a file."""
    text = json.dumps(doc, indent=2, sort_keys=True) + "\n"
    if path == "-":
        sys.stdout.write(text)
        return
    d = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix=".reference.", dir=d)
    try:
        with os.fdopen(fd, "w") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
