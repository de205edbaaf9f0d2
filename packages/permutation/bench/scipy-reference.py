#!/usr/bin/env python3
"""scipy side of `pnpm bench` for @descramble/permutation.

Reads a JSON task list on stdin, prints a JSON result list on stdout.
  {"kind": "lap", "file": ..., "n": ..., "repeats": ...}
      -> median wall ms and mean CPU ms of linear_sum_assignment on the raw float64
         n x n file, and the optimal cost
  {"kind": "qap", "file": <qaplib .dat>, "repeats": ...}
      -> median ms and value of quadratic_assignment(A, B, method='faq') with defaults
"""
import json
import sys
import time

import numpy as np
from scipy.optimize import linear_sum_assignment, quadratic_assignment


def median_ms(fn, repeats):
    fn()
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    return float(np.median(times))


def cpu_ms(fn, repeats):
    """Mean process CPU time per call over `repeats` calls (robust on a loaded machine)."""
    fn()
    t0 = time.process_time()
    for _ in range(repeats):
        fn()
    return (time.process_time() - t0) * 1000 / repeats


def read_qaplib(path):
    tokens = open(path).read().split()
    n = int(tokens[0])
    vals = np.array([float(t) for t in tokens[1 : 1 + 2 * n * n]])
    return vals[: n * n].reshape(n, n), vals[n * n :].reshape(n, n)


out = []
for task in json.load(sys.stdin):
    if task["kind"] == "lap":
        n = task["n"]
        c = np.fromfile(task["file"], dtype="<f8").reshape(n, n)
        r, k = linear_sum_assignment(c)
        out.append(
            {
                "ms": median_ms(lambda: linear_sum_assignment(c), task["repeats"]),
                "cpuMs": cpu_ms(lambda: linear_sum_assignment(c), task["repeats"]),
                "cost": float(c[r, k].sum()),
            }
        )
    else:
        A, B = read_qaplib(task["file"])
        res = quadratic_assignment(A, B, method="faq")
        out.append({"ms": median_ms(lambda: quadratic_assignment(A, B, method="faq"), task["repeats"]), "value": float(res.fun)})
json.dump(out, sys.stdout)
