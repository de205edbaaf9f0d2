"""Times numpy on the inputs written by bench/run.ts (same bytes, same run).

Usage: python3 numpy-reference.py <dir> <json-spec>
Prints one JSON object {case name: median milliseconds}.
"""
import json
import sys
import time

import numpy as np


def median_ms(fn, repeats):
    fn()  # warm-up
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000.0)
    times.sort()
    return times[len(times) // 2]


def load(directory, name, shape):
    return np.fromfile(f"{directory}/{name}.f64", dtype="<f8").reshape(shape)


def main():
    directory = sys.argv[1]
    spec = json.loads(sys.argv[2])
    out = {}
    for case in spec:
        kind = case["kind"]
        repeats = case["repeats"]
        if kind == "gram":
            s = load(directory, case["input"], case["shape"])
            out[case["name"]] = median_ms(lambda: s @ s.T, repeats)
        elif kind == "gemm":
            w = load(directory, case["input"], case["shape"])
            x = load(directory, case["input2"], case["shape2"])
            out[case["name"]] = median_ms(lambda: w @ x, repeats)
        elif kind == "eigh":
            a = load(directory, case["input"], case["shape"])
            out[case["name"]] = median_ms(lambda: np.linalg.eigh(a), repeats)
        elif kind == "svd":
            a = load(directory, case["input"], case["shape"])
            out[case["name"]] = median_ms(lambda: np.linalg.svd(a, full_matrices=False), repeats)
    out["numpyVersion"] = np.__version__
    print(json.dumps(out))


if __name__ == "__main__":
    main()
