"""Reduce a gilbench result file to what must not change between runs.

Measured numbers (samples, metrics) and the machine (context) become type
names; the cell identity (model, workload, params, status) stays exact.
Used by tests/cli/golden.sh: `skeleton.py FILE` prints the skeleton JSON.
"""
import json
import sys

VOLATILE_PARAMS = {"bound_cpus"}


def types(v):
    if isinstance(v, dict):
        return {k: types(x) for k, x in v.items()}
    if isinstance(v, list):
        return "array[%d]" % len(v) if all(isinstance(x, (int, float)) for x in v) else [types(x) for x in v]
    if isinstance(v, bool):
        return "bool"
    if isinstance(v, (int, float)):
        return "number"
    return "string"


def skeleton(doc):
    out = {"schema_version": doc["schema_version"], "context": types(doc["context"])}
    out["context"]["topology"]["caches"] = "array"
    cells = []
    for c in doc["results"]:
        cell = {k: c[k] for k in ("model", "workload", "status")}
        cell["params"] = {k: v for k, v in c["params"].items() if k not in VOLATILE_PARAMS}
        cell["samples"] = types(c["samples"])
        cell["metrics"] = types(c["metrics"])
        cells.append(cell)
    out["results"] = cells
    return out


if __name__ == "__main__":
    print(json.dumps(skeleton(json.load(open(sys.argv[1]))), indent=2, sort_keys=True))
