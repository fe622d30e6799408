#!/usr/bin/python3
"""Compare two openEMS runs of the same channel (profile_channel.py outputs): E (SAR raw dump), H, B1+, port data, and
the 10 g SAR of the channel's drive (sarkit sar --mass 10g on a one-channel SarKit dataset of each run).

    compare_runs.py MODEL.npz RUN1 RUN2 CHANNEL [SARKIT]"""
import json, os, shutil, subprocess, sys, tempfile
import numpy as np
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import run_subject as rs
import openems_array as oa
import h5py

model, r1, r2, ch = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
sarkit = sys.argv[5] if len(sys.argv) > 5 else os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "sarkit")
m = rs.load_model(model)
edges = (m["edges_x_mm"], m["edges_y_mm"], m["edges_z_mm"])
lab = m["labels"]; tissue = m["rho"][lab] > 0
out = {}
runs = []
for r in (r1, r2):
    with open(os.path.join(r, "prof.json")) as f:
        pj = json.load(f)
    a = complex(*pj["uf_inc"][ch])
    e, cell = rs.read_fd_dump(os.path.join(r, "SAR_raw.h5"), edges)
    h, _ = rs.read_fd_dump(os.path.join(r, "H_f0.h5"), edges)
    uf_ref = np.array([complex(*v) for v in pj["uf_ref"]])
    runs.append({"E": e / a, "H": h / a, "S": uf_ref / a, "stages": pj["stages"]})
E1, E2 = runs[0]["E"][:, tissue], runs[1]["E"][:, tissue]
H1, H2 = runs[0]["H"][:, tissue], runs[1]["H"][:, tissue]
b1 = lambda H: rs.MU0 * (H[0] + 1j * H[1]) / 2
out["E_max_abs_diff_over_max"] = float(np.max(np.abs(E1 - E2)) / np.max(np.abs(E1)))
out["E_rel_l2"] = float(np.linalg.norm(E1 - E2) / np.linalg.norm(E1))
out["B1plus_max_abs_diff_over_max"] = float(np.max(np.abs(b1(H1) - b1(H2))) / np.max(np.abs(b1(H1))))
out["S_col_max_abs_diff"] = float(np.max(np.abs(runs[0]["S"] - runs[1]["S"])))
sig = m["sigma"][lab][tissue]; rho = m["rho"][lab][tissue]
ps1 = sig * np.sum(np.abs(E1) ** 2, 0) / (2 * rho); ps2 = sig * np.sum(np.abs(E2) ** 2, 0) / (2 * rho)
out["pointSAR_max_abs_diff_over_peak"] = float(np.max(np.abs(ps1 - ps2)) / np.max(ps1))
out["bitwise_equal_E"] = bool(np.array_equal(runs[0]["E"], runs[1]["E"]))
# 10 g SAR with SarKit
tmp = tempfile.mkdtemp(prefix="cmp-", dir=os.path.dirname(os.path.abspath(r1)))
maps = []
for i, run in enumerate(runs):
    ds = os.path.join(tmp, f"d{i}.h5")
    with h5py.File(ds, "w") as f:
        f.attrs["sarkit_format"] = "sarkit-dataset"; f.attrs["sarkit_format_version"] = np.int32(1)
        f.attrs["frequency_hz"] = np.float64(rs.F0)
        g = f.create_group("grid")
        for n in ("edges_x", "edges_y", "edges_z"): g.create_dataset(n, data=np.asarray(m[n], np.float64))
        t = f.create_group("tissue")
        t.create_dataset("sigma", data=m["sigma"][lab].astype(np.float64)); t.create_dataset("rho", data=m["rho"][lab].astype(np.float64))
        dE = f.create_group("fields").create_dataset("E", data=(run["E"] * tissue[None])[None].astype(np.complex64))
        dE.attrs["unit"] = "V/m"; dE.attrs["normalisation"] = "per_volt_incident"
    mp = os.path.join(tmp, f"m{i}.h5")
    r = subprocess.run([sarkit, "sar", "--fields", ds, "-d", "1@0", "--mass", "10g", "-o", mp, "--json"], capture_output=True, text=True)
    if r.returncode != 0: print(r.stdout[-2000:], r.stderr[-2000:]); sys.exit(1)
    js = json.loads(r.stdout)
    out[f"run{i}_10g_psSAR_W_per_kg"] = {k: v for k, v in js.items() if "sar" in k.lower() and not isinstance(v, (dict, list))}
    maps.append(mp)
with h5py.File(maps[0], "r") as f0, h5py.File(maps[1], "r") as f1:
    names = []
    f0.visit(lambda n: names.append(n) if isinstance(f0[n], h5py.Dataset) else None)
    for n in names:
        a0, a1 = f0[n][...], f1[n][...]
        if a0.dtype.kind == "f" and a0.size > 1000:
            fin = np.isfinite(a0) & np.isfinite(a1)
            out[f"{n}_max_abs_diff_over_peak"] = float(np.max(np.abs(a0[fin] - a1[fin])) / np.max(np.abs(a0[fin])))
            out[f"{n}_peak_rel_diff"] = float(abs(np.max(a0[fin]) - np.max(a1[fin])) / np.max(a0[fin]))
shutil.rmtree(tmp, ignore_errors=True)
print(json.dumps(out, indent=1))
