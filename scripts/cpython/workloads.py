"""workloads.py - seed, cpu, io and background as task programs, with the
parameters and defaults of gilbench's host/workloads.c, op for op.

A program is data: a list of ops, how often it repeats and its flags. It
says what each task does, in gilbench's units (bytecodes, native units, ns,
bytes); models.py turns those units into Python loops, NumPy calls,
sleeps and socket calls, and decides how the tasks are scheduled. Keep this
file in step with host/workloads.c: `gilbench fidelity` pairs cells by
these parameters. The parameters' keys and defaults are not here: they are
host/params.def's, read by gbresult.load_params.
"""

COMPUTE, NATIVE, SLEEP, ECHO, PRINT, RETURN, YIELD = range(7)

NATIVE_CHUNKS = 100  # the GIL is released and re-taken this often per cpu task
SEED_BOB_NS = 300_000_000
SEED_ALICE_NS = 100_000_000
FOREGROUND_ALONE = 200  # background, tasks=1: requests of the lone foreground
REPEAT_UNTIL_STOP = 0

F_LATENCY = 1  # record each ECHO's round trip
F_BACKGROUND = 2  # counts toward "background done"

WORKLOADS = ("seed", "cpu", "io", "background")


class Program:
    def __init__(self, ops, repeat=1, flags=0, name="worker"):
        self.ops, self.repeat, self.flags, self.name = ops, repeat, flags, name


def _seed(p):
    if p["tasks"] != 2:
        raise ValueError("the seed workload has exactly 2 tasks (bob and alice), not %d" % p["tasks"])
    progs = []
    for name, ns in (("bob", SEED_BOB_NS), ("alice", SEED_ALICE_NS)):
        progs.append(Program([(SLEEP, ns, None), (PRINT, 0, "hello " + name),
                              (RETURN, 0, name + " done!")], name=name))
    return progs


def _cpu(p):
    tasks = p["tasks"]
    if p["work"] < tasks * NATIVE_CHUNKS:
        raise ValueError("--work %d is too small for %d tasks" % (p["work"], tasks))
    per_task = p["work"] // tasks
    if p["native_fraction"] <= 0:
        prog = Program([(COMPUTE, per_task, None)])
    else:
        # Interleaved chunks, so the GIL is released throughout, as NumPy
        # calls inside a Python loop release it.
        chunk = per_task // NATIVE_CHUNKS
        native = int(chunk * p["native_fraction"] + 0.5)
        prog = Program([(COMPUTE, chunk - native, None), (NATIVE, native, None)],
                       repeat=NATIVE_CHUNKS)
    return [prog] * tasks


def _io(p):
    if p["io"] == "echo":
        prog = Program([(ECHO, p["echo_bytes"], None)], repeat=p["io_ops"], flags=F_LATENCY, name="io")
    else:
        prog = Program([(SLEEP, int(round(p["io_time_s"] * 1e9)), None)], repeat=p["io_ops"], name="io")
    return [prog] * p["tasks"]


def _background(p):
    tasks = p["tasks"]
    think_ns = int(round(p["think_s"] * 1e9))
    ops = [(ECHO, p["echo_bytes"], None)]
    if think_ns:
        ops.append((SLEEP, think_ns, None))
    fg = Program(ops, repeat=REPEAT_UNTIL_STOP if tasks > 1 else FOREGROUND_ALONE,
                 flags=F_LATENCY, name="foreground")
    bg = Program([(COMPUTE, p["burst"], None)], flags=F_BACKGROUND, name="background")
    return [fg] + [bg] * (tasks - 1)


def build(workload, p):
    """The programs of one cell (task i runs progs[i]); ValueError if invalid."""
    if p["tasks"] < 1:
        raise ValueError("a cell needs at least one task")
    return {"seed": _seed, "cpu": _cpu, "io": _io, "background": _background}[workload](p)


def needs_echo(workload, p):
    return workload == "background" or (workload == "io" and p["io"] == "echo")


def ideal_s(workload, p):
    """Ideal wall of an io (sleep) or seed cell, for overhead_ratio; 0 if n/a."""
    if workload == "io" and p["io"] == "sleep":
        return p["io_ops"] * p["io_time_s"]
    if workload == "seed":
        return SEED_BOB_NS * 1e-9
    return 0.0


def work_ops(workload, p):
    """The work in ops, as gb_workload_ops: for ops_per_s."""
    if workload == "seed":
        return 2
    if workload == "cpu":
        return p["work"]
    if workload == "io":
        return p["tasks"] * p["io_ops"]
    return 0
