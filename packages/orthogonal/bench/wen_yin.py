"""numpy reference for bench/run.ts: Wen-Yin (Cayley curve, alternating Barzilai-Borwein
steps, Zhang-Hager non-monotone line search) on tr(A P B P^T) over O(d), the same
algorithm as @descramble/orthogonal's 'wen-yin', from the same start point.
Reads JSON {A, B, P0, tolerance, maxIterations} on stdin, prints JSON."""
import json
import sys
import time

import numpy as np


def main():
    data = json.load(sys.stdin)
    a = np.array(data["A"])
    b = np.array(data["B"])
    p = np.array(data["P0"])
    tol = data["tolerance"]
    max_iter = data["maxIterations"]
    d = a.shape[0]
    eye = np.eye(d)

    def evaluate(p):
        g = 2 * a @ p @ b
        f = 0.5 * np.sum(p * g)
        ptg = p.T @ g
        omega = 0.5 * (ptg - ptg.T)
        return f, omega

    def cayley(omega, t):
        return p @ (2 * np.linalg.inv(eye - 0.5 * t * omega) - eye)

    start = time.perf_counter()
    f, omega = evaluate(p)
    gnorm = np.linalg.norm(omega)
    tau = 1e-3 / gnorm
    ref, q = f, 1.0
    it = 0
    evals = 1
    while gnorm > tol and it < max_iter:
        it += 1
        slope = -gnorm**2
        t = tau
        for _ in range(60):
            pn = cayley(-omega, t)
            fn, omegan = evaluate(pn)
            evals += 1
            if fn <= ref + 1e-4 * t * slope:
                break
            t *= 0.2
        s = -t * omega
        y = omegan - omega
        sy = abs(np.sum(s * y))
        tau = (np.sum(s * s) / sy if it % 2 == 1 else sy / np.sum(y * y)) if sy > 0 else 2 * t
        tau = min(max(tau, 1e-20), 1e20)
        qn = 0.85 * q + 1
        ref = (0.85 * q * ref + fn) / qn
        q = qn
        p, f, omega = pn, fn, omegan
        gnorm = np.linalg.norm(omega)
    elapsed = time.perf_counter() - start
    print(json.dumps({"iterations": it, "time": elapsed, "gradientNorm": gnorm, "cost": f, "evaluations": evals}))


if __name__ == "__main__":
    main()
