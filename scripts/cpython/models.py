"""models.py - the six ways real CPython runs a cell's task programs:
cpython-serial, -threads, -processes, -greenlets, -asyncio, -callbacks,
plus the echo peer process they talk to.

Each model runs the same programs (workloads.py) and differs, as in
gilbench, only in how tasks are started, scheduled and hand back their
result: threading.Thread + queue.Queue, multiprocessing (fork) +
SimpleQueue, gevent.spawn (monkey-patched by repetition.py before this
module is imported) + greenlet values, asyncio tasks awaited, and
call_soon/call_later/add_reader callbacks with an on_result callback.
The clocks, rusage and the sample are repetition.py's; this file times
only the echo round trips, as Python code timing its own call would.

Units: a gilbench bytecode is `iters_per_bytecode` iterations of `spin`'s
loop (one back edge, so one eval-breaker check point, per iteration); a
native unit is `elems_per_unit` elements of np.sin over long doubles, a
ufunc loop that releases the GIL (above NumPy's 500-element threshold).
reference.py measures both and records them in the context.
"""

import os
import select
import socket
import time
from collections import deque

import workloads as wl


def spin(n):
    """The CPU work: n iterations of a pure-Python loop, GIL held."""
    x = 1
    for i in range(n):
        x ^= i
    return x


class Env:
    """What a task needs besides its program: units, buffers, peer, stop."""

    def __init__(self, spec, progs, socks):
        units = spec["units"]
        self.ipb = units["iters_per_bytecode"]
        self.epu = units["elems_per_unit"]
        self.yield_every = spec["params"]["yield_every"]  # every cell has it (gbresult.defaults)
        self.socks = socks
        self.sink = open(os.devnull, "w")
        self.latencies = []
        self.stop = False
        self.bg_left = sum(1 for p in progs if p.flags & wl.F_BACKGROUND)
        self.src = None
        self.dst = None
        most = max((op[1] for p in progs for op in p.ops if op[0] == wl.NATIVE), default=0)
        if most:
            import numpy as np  # only cells with a native fraction pay for it

            n = self.elems(most)
            self.src = (np.arange(n, dtype=np.longdouble) % 97) / 97 + 0.5
            self.dst = [np.empty_like(self.src) for _ in progs]

    def iters(self, bytecodes):
        return int(round(bytecodes * self.ipb))

    def elems(self, units):
        return max(1, int(round(units * self.epu)))

    def native(self, i, units):
        import numpy as np

        n = self.elems(units)
        np.sin(self.src[:n], out=self.dst[i][:n])

    def stopped(self):
        return self.stop

    def background_done(self):
        self.bg_left -= 1
        if self.bg_left == 0:
            self.stop = True


def _more(prog, it, env):
    # As gilbench's interpreter: the first body runs even if the background
    # already ended, so a cell always has a latency however it was scheduled.
    if prog.repeat == wl.REPEAT_UNTIL_STOP:
        return it == 0 or not env.stopped()
    return it < prog.repeat


def _recv_exact(sock, n):
    got = 0
    while got < n:
        data = sock.recv(n - got)
        if not data:
            raise ConnectionError("the echo peer closed the connection")
        got += len(data)


def run_sync(prog, i, env, sleep, yield_now=None):
    """One task, blocking style (serial, threads, processes, greenlets).
    Returns (value, bytecodes, blocking ops)."""
    value, bytecodes, blocking, it = None, 0, 0, 0
    ye = env.yield_every if yield_now else 0
    while _more(prog, it, env):
        for kind, n, text in prog.ops:
            if kind == wl.COMPUTE:
                left = n
                while ye and left > ye:
                    spin(env.iters(ye))
                    left -= ye
                    yield_now()
                spin(env.iters(left))
                bytecodes += n
            elif kind == wl.NATIVE:
                env.native(i, n)
            elif kind == wl.SLEEP:
                sleep(n * 1e-9)
                blocking += 1
            elif kind == wl.ECHO:
                sock = env.socks[i]
                t0 = time.perf_counter_ns()
                sock.sendall(b"x" * n)
                _recv_exact(sock, n)
                if prog.flags & wl.F_LATENCY:
                    env.latencies.append(time.perf_counter_ns() - t0)
                blocking += 1
            elif kind == wl.PRINT:
                print(text, file=env.sink)
            elif kind == wl.RETURN:
                value = text
            elif kind == wl.YIELD and yield_now:
                yield_now()
        it += 1
    if prog.flags & wl.F_BACKGROUND:
        env.background_done()
    return value, bytecodes, blocking


# ---- the models: each returns (values, bytecodes, blocking ops) ------------------


def _totals(results):
    return ([r[0] for r in results], sum(r[1] for r in results), sum(r[2] for r in results))


def run_serial(progs, env):
    return _totals([run_sync(p, i, env, time.sleep) for i, p in enumerate(progs)])


def run_threads(progs, env):
    import queue
    import threading

    lock = threading.Lock()
    done = env.background_done

    def locked_done():
        with lock:
            done()

    env.background_done = locked_done
    results = queue.Queue()

    def worker(i, prog):
        results.put((i, run_sync(prog, i, env, time.sleep)))

    threads = [threading.Thread(target=worker, args=(i, p)) for i, p in enumerate(progs)]
    for t in threads:
        t.start()
    got = [results.get() for _ in threads]
    for t in threads:
        t.join()
    return _totals([r for _, r in sorted(got, key=lambda x: x[0])])


def run_processes(progs, env):
    import multiprocessing

    ctx = multiprocessing.get_context("fork")
    results = ctx.SimpleQueue()
    stop = ctx.RawValue("b", 0)
    left = ctx.Value("i", env.bg_left)

    def stopped():
        return stop.value != 0

    def background_done():
        with left.get_lock():
            left.value -= 1
            if left.value == 0:
                stop.value = 1

    env.stopped = stopped
    env.background_done = background_done

    def child(i, prog):
        env.latencies = []
        r = run_sync(prog, i, env, time.sleep)
        results.put((i, r, env.latencies))

    procs = [ctx.Process(target=child, args=(i, p)) for i, p in enumerate(progs)]
    for p in procs:
        p.start()
    got = [results.get() for _ in procs]
    for p in procs:
        p.join()
    for _, _, lat in got:
        env.latencies.extend(lat)
    for p in procs:
        if p.exitcode != 0:
            raise RuntimeError("a worker process exited with status %s" % p.exitcode)
    return _totals([r for _, r, _ in sorted(got, key=lambda x: x[0])])


def run_greenlets(progs, env):
    import gevent

    def yield_now():
        gevent.sleep(0)

    gs = [gevent.spawn(run_sync, p, i, env, gevent.sleep, yield_now) for i, p in enumerate(progs)]
    gevent.joinall(gs, raise_error=True)
    return _totals([g.value for g in gs])


async def _run_async(prog, i, env, loop):
    import asyncio

    value, bytecodes, blocking, it = None, 0, 0, 0
    ye = env.yield_every
    while _more(prog, it, env):
        for kind, n, text in prog.ops:
            if kind == wl.COMPUTE:
                left = n
                while ye and left > ye:
                    spin(env.iters(ye))
                    left -= ye
                    await asyncio.sleep(0)
                spin(env.iters(left))
                bytecodes += n
            elif kind == wl.NATIVE:
                env.native(i, n)
            elif kind == wl.SLEEP:
                await asyncio.sleep(n * 1e-9)
                blocking += 1
            elif kind == wl.ECHO:
                sock = env.socks[i]
                t0 = time.perf_counter_ns()
                await loop.sock_sendall(sock, b"x" * n)
                got = 0
                while got < n:
                    data = await loop.sock_recv(sock, n - got)
                    if not data:
                        raise ConnectionError("the echo peer closed the connection")
                    got += len(data)
                if prog.flags & wl.F_LATENCY:
                    env.latencies.append(time.perf_counter_ns() - t0)
                blocking += 1
            elif kind == wl.PRINT:
                print(text, file=env.sink)
            elif kind == wl.RETURN:
                value = text
            elif kind == wl.YIELD:
                await asyncio.sleep(0)
        it += 1
    if prog.flags & wl.F_BACKGROUND:
        env.background_done()
    return value, bytecodes, blocking


def run_asyncio(progs, env, loop):
    async def main():
        tasks = [loop.create_task(_run_async(p, i, env, loop)) for i, p in enumerate(progs)]
        return [await t for t in tasks]

    return _totals(loop.run_until_complete(main()))


class _CallbackTask:
    """The lecture's on_result style: each completion calls the next step;
    no Task or Future objects, only the loop's handles."""

    def __init__(self, prog, i, env, loop, on_result):
        self.prog, self.i, self.env, self.loop, self.on_result = prog, i, env, loop, on_result
        self.it, self.pc, self.left = 0, 0, None
        self.value, self.bytecodes, self.blocking = None, 0, 0
        self.t0, self.got, self.want = 0, 0, 0

    def step(self):
        env, prog = self.env, self.prog
        while True:
            if self.pc == 0 and self.left is None and not _more(prog, self.it, env):
                break
            if self.pc >= len(prog.ops):
                self.it += 1
                self.pc = 0
                continue
            kind, n, text = prog.ops[self.pc]
            if kind == wl.COMPUTE:
                left = n if self.left is None else self.left
                ye = env.yield_every
                if ye and left > ye:
                    spin(env.iters(ye))
                    self.left = left - ye
                    self.loop.call_soon(self.step)
                    return
                spin(env.iters(left))
                self.left = None
                self.bytecodes += n
            elif kind == wl.NATIVE:
                env.native(self.i, n)
            elif kind == wl.SLEEP:
                self.pc += 1
                self.blocking += 1
                self.loop.call_later(n * 1e-9, self.step)
                return
            elif kind == wl.ECHO:
                self.pc += 1
                self._send(n)
                return
            elif kind == wl.PRINT:
                print(text, file=env.sink)
            elif kind == wl.RETURN:
                self.value = text
            elif kind == wl.YIELD:
                self.pc += 1
                self.loop.call_soon(self.step)
                return
            self.pc += 1
        if prog.flags & wl.F_BACKGROUND:
            env.background_done()
        self.on_result((self.value, self.bytecodes, self.blocking))

    def _send(self, n):
        sock = self.env.socks[self.i]
        self.t0 = time.perf_counter_ns()
        self.got, self.want = 0, n
        data = b"x" * n
        sent = 0
        while sent < n:  # a fresh socketpair takes 64 bytes at once
            try:
                sent += sock.send(data[sent:])
            except BlockingIOError:
                select.select([], [sock], [])
        self.loop.add_reader(sock.fileno(), self._on_readable)

    def _on_readable(self):
        sock = self.env.socks[self.i]
        try:
            data = sock.recv(self.want - self.got)
        except BlockingIOError:
            return
        if not data:
            raise ConnectionError("the echo peer closed the connection")
        self.got += len(data)
        if self.got < self.want:
            return
        self.loop.remove_reader(sock.fileno())
        if self.prog.flags & wl.F_LATENCY:
            self.env.latencies.append(time.perf_counter_ns() - self.t0)
        self.blocking += 1
        self.step()


def run_callbacks(progs, env, loop):
    results = [None] * len(progs)
    left = [len(progs)]
    errors = []

    def on_result_for(i):
        def on_result(r):
            results[i] = r
            left[0] -= 1
            if left[0] == 0:
                loop.stop()

        return on_result

    def handler(loop_, context):
        errors.append(context.get("exception") or RuntimeError(context.get("message")))
        loop_.stop()

    loop.set_exception_handler(handler)
    for i, p in enumerate(progs):
        loop.call_soon(_CallbackTask(p, i, env, loop, on_result_for(i)).step)
    loop.run_forever()
    if errors:
        raise errors[0]
    if left[0]:
        raise RuntimeError("the loop stopped with %d tasks unfinished" % left[0])
    return _totals(results)


def calibrate(bytecode_ns, runs=101):
    """ns per iteration of spin and per element of the native call: the
    minimum of short runs (~1 ms each), which a loaded machine rarely
    preempts, so the figure is the cost itself rather than the load."""
    units = {"bytecode_ns": bytecode_ns,
             "spin_loop": "for i in range(n): x ^= i   (one back edge per iteration)"}
    n = 20_000
    spin(n)
    ns = []
    for _ in range(runs):
        t = time.perf_counter_ns()
        spin(n)
        ns.append((time.perf_counter_ns() - t) / n)
    ns.sort()
    units["spin_iter_ns_min"] = ns[0]
    units["spin_iter_ns_median"] = ns[len(ns) // 2]
    units["iters_per_bytecode"] = bytecode_ns / ns[0]
    try:
        import numpy as np
    except ImportError:
        units["elems_per_unit"] = 0.0
        return units
    src = (np.arange(4096, dtype=np.longdouble) % 97) / 97 + 0.5
    dst = np.empty_like(src)
    ns = []
    for _ in range(runs):
        t = time.perf_counter_ns()
        np.sin(src, out=dst)
        ns.append((time.perf_counter_ns() - t) / len(src))
    ns.sort()
    units["native_elem_ns_min"] = ns[0]
    units["native_elem_ns_median"] = ns[len(ns) // 2]
    units["elems_per_unit"] = bytecode_ns / ns[0]
    units["native_call"] = "np.sin(a[:n], out=b[:n]) on float128: releases the GIL above 500 elements"
    return units


def module_versions():
    out = {}
    for name in ("gevent", "greenlet", "numpy"):
        try:
            out[name] = __import__(name).__version__
        except ImportError:
            out[name] = None
    return out


def prepare(model):
    """Imports what a model's run will use, untimed: a Python program has its
    imports done before the work starts, and importing under load can take
    longer than the run itself."""
    mods = {"threads": ("queue", "threading"),
            "processes": ("multiprocessing", "multiprocessing.queues", "multiprocessing.synchronize",
                          "multiprocessing.sharedctypes", "multiprocessing.connection",
                          "multiprocessing.popen_fork"),
            "greenlets": ("gevent",),
            "asyncio": ("asyncio",),
            "callbacks": ("asyncio",)}
    for name in mods.get(model, ()):
        __import__(name)


MODELS = ("serial", "threads", "processes", "greenlets", "asyncio", "callbacks")


# ---- the echo peer -----------------------------------------------------------------


def echo_peer(server_socks, delay_ns):
    """The peer, in its own process (so outside the tasks' GIL, as gilbench's
    C thread is): echoes every byte back `delay_ns` after it arrived, in
    arrival order, behind one timerfd; epoll's millisecond timeout would
    round a 50 us turnaround up to 1 ms. Returns when every client closed."""
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(29, 1, 0, 0, 0)  # PR_SET_TIMERSLACK: 1 ns, or sleeps overshoot ~50 us
    tfd = libc.timerfd_create(time.CLOCK_MONOTONIC, os.O_NONBLOCK | os.O_CLOEXEC)
    if tfd < 0:
        raise OSError(ctypes.get_errno(), "timerfd_create")

    class Timespec(ctypes.Structure):
        _fields_ = [("tv_sec", ctypes.c_long), ("tv_nsec", ctypes.c_long)]

    class Itimerspec(ctypes.Structure):
        _fields_ = [("it_interval", Timespec), ("it_value", Timespec)]

    def arm(due):
        its = Itimerspec()
        if due:
            its.it_value.tv_sec, its.it_value.tv_nsec = divmod(due, 1_000_000_000)
        libc.timerfd_settime(tfd, 1, ctypes.byref(its), None)  # TFD_TIMER_ABSTIME

    ep = select.epoll()
    by_fd = {s.fileno(): s for s in server_socks}
    for fd in by_fd:
        ep.register(fd, select.EPOLLIN)
    ep.register(tfd, select.EPOLLIN)
    pending = deque()
    while by_fd:
        for fd, _ in ep.poll():
            if fd == tfd:
                try:
                    os.read(tfd, 8)
                except BlockingIOError:
                    pass
                continue
            s = by_fd.get(fd)
            if s is None:
                continue
            data = s.recv(65536)
            if not data:
                ep.unregister(fd)
                del by_fd[fd]
                continue
            pending.append((time.monotonic_ns() + delay_ns, s, data))
        now = time.monotonic_ns()
        while pending and pending[0][0] <= now:
            _, s, data = pending.popleft()
            try:
                s.sendall(data)
            except OSError:
                pass  # the client went away
        arm(pending[0][0] if pending else 0)


def start_echo_peer(n, delay_s):
    """n socketpairs and the peer process (forked now, before gevent's
    monkey patching). Returns (client sockets, peer pid)."""
    pairs = [socket.socketpair() for _ in range(n)]
    pid = os.fork()
    if pid == 0:
        status = 0
        try:
            for c, _ in pairs:
                c.close()
            echo_peer([s for _, s in pairs], int(round(delay_s * 1e9)))
        except BaseException:
            status = 1
        os._exit(status)
    for _, s in pairs:
        s.close()
    return [c for c, _ in pairs], pid
