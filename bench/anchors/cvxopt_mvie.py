#!/usr/bin/python3
"""Anchor process for bench/anchors.py: maximum-volume inscribed ellipsoid of {x : x^H Q_i x <= 1} for every matrix
of a SarKit Q-matrix file (/matrices [K, N, N] complex), with cvxopt (Debian python3-cvxopt) and constraint
generation: solve  max log det P  s.t.  L_i^H P L_i <= I  (Q_i = L_i L_i^H, A = P^-1)  on an active set, check all K
matrices at once with numpy (lambda_max(C^H Q_i C) for P = C C^H), add the worst violators, repeat until none exceeds
1 + 1e-9. The SDP is solve_mvie of tools/fixtures/mvie_cvxopt.py (real 2N x 2N embeddings of the LMIs).
Usage: cvxopt_mvie.py Q.h5   Prints one JSON line: read_s, solve_s, rounds, active, log_det, max_ratio."""
import json, os, sys, time
import numpy as np
import h5py

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tools", "fixtures"))
from mvie_cvxopt import solve_mvie  # the SDP of the test reference (one formulation, two uses)

t0 = time.perf_counter()
with h5py.File(sys.argv[1], "r") as f:
    raw = f["/matrices"][...]
if raw.dtype.names:  # compound {r, i}
    names = raw.dtype.names
    Q = raw[names[0]].astype(np.float64) + 1j * raw[names[1]].astype(np.float64)
else:
    Q = raw.astype(np.complex128)
Q = (Q + np.conj(np.swapaxes(Q, 1, 2))) / 2
t1 = time.perf_counter()
K, n = Q.shape[0], Q.shape[1]
scale = np.linalg.eigvalsh(Q).max()
Qs = Q / scale
w, v = np.linalg.eigh(Qs)
L = v * np.sqrt(np.clip(w, 0, None))[:, None, :]  # Q_i = L_i L_i^H


m = n * n


def solve(active):
    return solve_mvie([L[i] for i in active], n, 1e-10)[1]


active = list(np.argsort(-w[:, -1])[:2 * m])  # start: the matrices of largest lambda_max
rounds = 0
while True:
    rounds += 1
    P = solve(active)
    C = np.linalg.cholesky(P)
    ratio = np.linalg.eigvalsh(np.conj(C.T)[None] @ Qs @ C[None])[:, -1]  # lambda_max(A^-1 Q_i)
    worst = np.argsort(-ratio)
    new = [i for i in worst[:m] if ratio[i] > 1 + 1e-9 and i not in set(active)]
    if not new or rounds > 50:
        break
    active += new
t2 = time.perf_counter()
log_det = -np.log(np.linalg.det(P).real) + n * np.log(scale)
print(json.dumps({"read_s": t1 - t0, "solve_s": t2 - t1, "rounds": rounds, "active": len(active), "count": K,
                  "log_det": float(log_det), "max_ratio": float(ratio.max())}))
