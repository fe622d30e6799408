#!/usr/bin/python3
"""Compare one channel rerun (profile_channel.py output) with a committed subject file: S column and slab B1+ of that
channel (B1+ rounded to the file's mantissa bits before the comparison).

    compare_committed.py MODEL.npz RUN data/surrogate3d/A00002.h5 CHANNEL"""
import json, os, sys
import numpy as np
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import run_subject as rs
import h5py
model, run, committed, ch = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
m = rs.load_model(model)
edges = (m["edges_x_mm"], m["edges_y_mm"], m["edges_z_mm"])
with open(os.path.join(run, "prof.json")) as f:
    pj = json.load(f)
a = complex(*pj["uf_inc"][ch])
S = np.array([complex(*v) for v in pj["uf_ref"]]) / a
h, _ = rs.read_fd_dump(os.path.join(run, "H_f0.h5"), edges)
H = (h / a).astype(np.complex64)
lab = m["labels"]; nz = lab.shape[0]
with h5py.File(committed, "r") as f:
    Sc = f["ports/S"][:, ch]
    B1c = f["fields/B1plus"][ch]
    kb = int(f["targets/q10g/matrices_packed"].attrs["mantissa_bits"])
    slab = B1c.shape[0]
    inc = f["provenance"].attrs["port_incident_voltage_raw"][ch]
k0 = (nz - slab) // 2
tissue = m["rho"][lab[k0:k0 + slab]] > 0
B1 = (rs.MU0 * (H[0, k0:k0 + slab] + 1j * H[1, k0:k0 + slab]) / 2) * tissue
B1r = np.empty_like(B1c); B1r.real = rs.bitround(B1.real, kb); B1r.imag = rs.bitround(B1.imag, kb)
out = {
    "S_col_max_abs_diff": float(np.max(np.abs(S - Sc))),
    "S_col_bitwise_equal": bool(np.array_equal(S, Sc)),
    "incident_voltage_diff": float(abs(a - complex(*inc))),
    "B1plus_rounded_bitwise_equal": bool(np.array_equal(B1r, B1c)),
    "B1plus_max_abs_diff_over_max": float(np.max(np.abs(B1r - B1c)) / np.max(np.abs(B1c))),
    "B1plus_unrounded_vs_committed_max_rel": float(np.max(np.abs(B1 - B1c)) / np.max(np.abs(B1c))),
    "mantissa_bits": kb,
}
print(json.dumps(out, indent=1))
