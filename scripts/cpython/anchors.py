#!/usr/bin/python3
"""anchors.py - the primitive costs that the research notes on CPython's
GIL (shared/research/gil.md, section 9) list as anchors, measured on this
machine's real CPython: thread and
process start, greenlet creation, gevent.sleep(0) and spawn, asyncio task
and call_soon, and 1000 threads each sleeping 0.1 s. They sit beside
`gilbench micro`'s simulated primitives (docs/methodology.md, "Fidelity").

Each figure is the median (and minimum) of several runs, printed as a table
or, with --json, as {"python": ..., "ops": {NAME: {"median_ns", "min_ns",
"reps"}}}. It runs in one process: gevent is imported but not patched in.

usage: anchors.py [--json] [--reps N]
"""

import argparse
import asyncio
import json
import multiprocessing
import os
import sys
import threading
import time


def timed(fn, n, reps):
    """ns per call of fn() (which does n operations), over reps runs."""
    out = []
    fn()  # warm-up
    for _ in range(reps):
        t = time.perf_counter_ns()
        fn()
        out.append((time.perf_counter_ns() - t) / n)
    out.sort()
    return {"median_ns": out[len(out) // 2], "min_ns": out[0], "reps": reps}


def thread_start_join():
    t = threading.Thread(target=int)
    t.start()
    t.join()


def fork_start_join(ctx):
    p = ctx.Process(target=int)
    p.start()
    p.join()


def threads_sleeping(n, secs):
    ts = [threading.Thread(target=time.sleep, args=(secs,)) for _ in range(n)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--reps", type=int, default=7)
    args = ap.parse_args()
    reps = args.reps
    ops = {}
    ops["thread_start_join"] = timed(lambda: [thread_start_join() for _ in range(200)], 200, reps)
    ctx = multiprocessing.get_context("fork")
    ops["fork_process_start_join"] = timed(lambda: [fork_start_join(ctx) for _ in range(20)], 20, reps)
    ops["threads_1000_sleep_0.1s"] = timed(lambda: threads_sleeping(1000, 0.1), 1, max(3, reps // 2))

    try:
        import gevent
        import greenlet
    except ImportError:
        gevent = None
    if gevent:
        ops["greenlet_create"] = timed(lambda: [greenlet.greenlet(int) for _ in range(10000)], 10000, reps)

        def sleeps():
            for _ in range(10000):
                gevent.sleep(0)

        ops["gevent_sleep0"] = timed(sleeps, 10000, reps)

        def spawns():
            gevent.joinall([gevent.spawn(int) for _ in range(2000)])

        ops["gevent_spawn_join"] = timed(spawns, 2000, reps)

    loop = asyncio.new_event_loop()

    async def nothing():
        return None

    async def tasks():
        await asyncio.gather(*[loop.create_task(nothing()) for _ in range(5000)])

    ops["asyncio_task_spawn"] = timed(lambda: loop.run_until_complete(tasks()), 5000, reps)

    async def sleeps0():
        for _ in range(10000):
            await asyncio.sleep(0)

    ops["asyncio_sleep0"] = timed(lambda: loop.run_until_complete(sleeps0()), 10000, reps)

    def call_soons():
        left = [10000]

        def cb():
            left[0] -= 1
            if left[0] == 0:
                loop.stop()

        for _ in range(10000):
            loop.call_soon(cb)
        loop.run_forever()

    ops["call_soon"] = timed(call_soons, 10000, reps)
    loop.close()

    doc = {"python": sys.version.split()[0], "cpus": os.cpu_count(), "ops": ops}
    if args.json:
        print(json.dumps(doc, indent=2, sort_keys=True))
        return
    print("CPython %s: ns per op, median and min of %d runs" % (doc["python"], reps))
    for name, v in ops.items():
        print("  %-26s %14.0f %14.0f" % (name, v["median_ns"], v["min_ns"]))


if __name__ == "__main__":
    main()
