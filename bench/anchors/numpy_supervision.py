#!/usr/bin/python3
"""Vectorised numpy baseline of the exact streamed window check (issue 18; compared by `SarKit.Bench wave-stream --numpy`).

Same definition as SarKit's StreamedWindowSar (docs/supervision.md, "Arbitrary waveforms"), repetition "once":
p_j(t) = x_t^H Q_j x_t * dt per sample, a window of T holds m = T/dt samples, SAR_j(t) = sum of the m samples ending at t / T,
the answer is max_j max_t over the windows ending at t in [min(m, L) - 1, L - 1].

Written the way one would in numpy, without SarKit's pruning: the waveform (.npy, samples x channels, complex64/128) is
memory-mapped and processed in chunks; per sample the real outer-product vector z_t = [|x_i|^2, 2 Re(conj(x_i) x_j),
-2 Im(conj(x_i) x_j)] (i < j) goes through one real matrix product with every matrix packed the same way (BLAS dgemm),
and each window is a running sum S(t) = S(t-1) + p(t) - p(t-m) (cumulative sums per chunk, the chunk m samples earlier
recomputed: a ring of m samples x matrices would not fit in memory for 10 s at 1 us).

Usage: numpy_supervision.py WAVE.npy --q NAME=Q.npy[:T1,T2] ... [--chunk 65536]
Q.npy: complex128 [k, n, n] Hermitian matrices in W/kg per (drive unit)^2. Prints one JSON object to stdout.
"""
import argparse
import json
import math
import os
import resource
import sys
import time

import numpy as np


def packed(q):
    """Real packed form of Hermitian matrices q [k, n, n] matching z (see module doc): [k, n*n]."""
    k, n, _ = q.shape
    iu = np.triu_indices(n, 1)
    return np.concatenate([q[:, np.arange(n), np.arange(n)].real, q[:, iu[0], iu[1]].real, q[:, iu[0], iu[1]].imag], axis=1)


def outer(x):
    """z [C, n*n] of samples x [C, n] (complex128)."""
    n = x.shape[1]
    iu = np.triu_indices(n, 1)
    c = np.conj(x[:, iu[0]]) * x[:, iu[1]]
    return np.concatenate([(x.real ** 2 + x.imag ** 2), 2 * c.real, -2 * c.imag], axis=1)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("wave")
    ap.add_argument("--q", action="append", required=True, help="NAME=Q.npy:T1,T2 (windows in s)")
    ap.add_argument("--chunk", type=int, default=65536)
    a = ap.parse_args()
    t0w, r0 = time.perf_counter(), resource.getrusage(resource.RUSAGE_SELF)
    side = json.load(open(os.path.splitext(a.wave)[0] + ".json"))
    dt = float(side["raster_s"])
    x = np.load(a.wave, mmap_mode="r")
    L, n = x.shape
    jobs = []
    for spec in a.q:
        name, rest = spec.split("=", 1)
        path, _, wins = rest.partition(":")
        q = np.load(path)
        assert q.shape[1:] == (n, n), (q.shape, n)
        for T in [float(v) for v in wins.split(",")]:
            r = T / dt
            m = round(r) if abs(r - round(r)) <= 1e-9 * r else math.ceil(r)
            jobs.append({"name": name, "T": T, "m": min(m, L), "qp": packed(q).T.copy(), "k": q.shape[0]})
    C = a.chunk
    state = [{"S": np.zeros(j["k"]), "best": -np.inf, "t": -1, "j": -1} for j in jobs]
    # p per matrix set (shared by the windows of that set) for the head chunk; lag chunks recomputed per window
    for t0 in range(0, L, C):
        t1 = min(L, t0 + C)
        zh = outer(np.asarray(x[t0:t1], dtype=np.complex128))
        cache = {}
        for js, j in zip(state, jobs):
            key = j["name"]
            if key not in cache:
                cache[key] = zh @ j["qp"] * dt
            ph = cache[key]
            m = j["m"]
            l0, l1 = t0 - m, t1 - m
            pl = np.zeros_like(ph)
            if l1 > 0:
                s0 = max(0, l0)
                pl[s0 - l0:] = outer(np.asarray(x[s0:l1], dtype=np.complex128)) @ j["qp"] * dt
            run = js["S"] + np.cumsum(ph - pl, axis=0)
            js["S"] = run[-1].copy()
            first = max(t0, m - 1)
            if first < t1:
                seg = run[first - t0:]
                flat = int(np.argmax(seg))
                r, c = divmod(flat, seg.shape[1])
                if seg[r, c] > js["best"]:
                    js["best"], js["t"], js["j"] = float(seg[r, c]), first + r, c
    r1 = resource.getrusage(resource.RUSAGE_SELF)
    out = {
        "samples": int(L), "channels": int(n), "raster_s": dt,
        "wall_s": time.perf_counter() - t0w,
        "cpu_s": (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime),
        "numpy": np.__version__,
        "windows": [{"name": j["name"], "window_s": j["T"], "max_sar_w_per_kg": js["best"] / j["T"],
                     "worst_window_end_s": (js["t"] + 1) * dt, "matrix": js["j"]} for j, js in zip(jobs, state)],
    }
    json.dump(out, sys.stdout)
    print()


if __name__ == "__main__":
    main()
