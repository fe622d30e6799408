#!/usr/bin/env python3
"""Writes the openEMS reference dataset (ptx8_dipoles_7T.h5, 5 mm) refined by an integer factor (nearest neighbour:
each cell split into factor^3 cells carrying the same sigma, rho and E) in the same layout, with h5py, for HDF5 read
and memory benchmarks. Usage: make_fine_reference.py SRC.h5 OUT.h5 [--factor 2] [--gzip LEVEL] [--chunks a,b,c,d,e]
Without --gzip the E dataset is contiguous. H and the openEMS result groups are not copied."""
import argparse
import h5py
import numpy as np

ap = argparse.ArgumentParser()
ap.add_argument("src"); ap.add_argument("out")
ap.add_argument("--factor", type=int, default=2)
ap.add_argument("--gzip", type=int, default=None)
ap.add_argument("--shuffle", action="store_true")
ap.add_argument("--chunks", default=None)
a = ap.parse_args()
k = a.factor

def refine_axis(c, w):
    # k sub-cells per cell: widths w/k, centres at c - w/2 + (j + 1/2) w/k
    j = (np.arange(k) + 0.5) / k
    cc = (c[:, None] - w[:, None] / 2 + j[None, :] * w[:, None]).ravel()
    ww = np.repeat(w / k, k)
    return cc, ww

def rep3(x):
    return np.repeat(np.repeat(np.repeat(x, k, axis=-3), k, axis=-2), k, axis=-1)

with h5py.File(a.src, "r") as s, h5py.File(a.out, "w") as o:
    for ax in "xyz":
        c, w = refine_axis(s[ax][()], s["cell_width_" + ax][()])
        o[ax] = c
        o["cell_width_" + ax] = w
    for name in ("sigma", "rho"):
        o[name] = rep3(s[name][()])
    for key, v in s.attrs.items():
        o.attrs[key] = v
    E = s["E"]
    nch = E.shape[0]
    shape = (nch, 3) + tuple(n * k for n in E.shape[2:])
    kw = {}
    if a.gzip is not None:
        kw = dict(compression="gzip", compression_opts=a.gzip, shuffle=a.shuffle,
                  chunks=tuple(int(x) for x in a.chunks.split(",")) if a.chunks else True)
    d = o.create_dataset("E", shape=shape, dtype=E.dtype, **kw)
    for c in range(nch):
        d[c] = rep3(E[c])
    o.attrs["description"] = f"{s.attrs.get('description', '')} [refined x{k} by nearest neighbour for benchmarks]"
