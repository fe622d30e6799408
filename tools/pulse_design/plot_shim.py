#!/usr/bin/python3
"""Plots for docs/pulse-design.md from `sarkit shim --json` outputs on the demo dataset.

usage: plot_shim.py DEMO.h5 OUTDIR DESIGNS.json CURVE1.json [CURVE2.json ...]
B1+ per channel is recomputed here as SarKit does for a dataset without H (B = i curl(E)/omega, central differences
between voxel centres, B1+ = (Bx + iBy)/2, counterclockwise), for the middle z layer only.
"""
import json, sys
import numpy as np, h5py
import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt

demo, out, designs_json, curves = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
with h5py.File(demo, "r") as f:
    E = f["/fields/E"][()]
    E = E["r"].astype(np.float64) + 1j * E["i"].astype(np.float64) if E.dtype.names else E.astype(np.complex128)
    ex, ey, ez = f["/grid/edges_x"][()], f["/grid/edges_y"][()], f["/grid/edges_z"][()]
    rho = f["/tissue/rho"][()]
    freq = float(f.attrs["frequency_hz"])
cx, cy, cz = 0.5 * (ex[1:] + ex[:-1]), 0.5 * (ey[1:] + ey[:-1]), 0.5 * (ez[1:] + ez[:-1])
k = len(cz) // 2
w = 2 * np.pi * freq
def d(a, c, axis):  # central differences between neighbouring centres, one-sided at the border (np.gradient, 1st order edges)
    return np.gradient(a, c, axis=axis, edge_order=1)
b1 = []
for ch in range(E.shape[0]):
    Ex, Ey, Ez = E[ch, 0], E[ch, 1], E[ch, 2]   # [z, y, x]
    bx = 1j * (d(Ez, cy, 1) - d(Ey, cz, 0)) / w
    by = 1j * (d(Ex, cz, 0) - d(Ez, cx, 2)) / w
    b1.append((0.5 * (bx + 1j * by))[k] * 1e6)  # µT per V
b1 = np.array(b1)
mask = rho[k] > 0
d0 = json.load(open(designs_json))
rows = d0["designs"]
fig, axs = plt.subplots(1, len(rows), figsize=(3.2 * len(rows), 3.0))
for ax, r in zip(np.atleast_1d(axs), rows):
    wv = np.array(r["amplitude"]) * np.exp(1j * np.deg2rad(r["phase_deg"]))
    m = np.abs(np.tensordot(wv, b1, axes=1))
    m = np.where(mask, m, np.nan)
    im = ax.imshow(m, origin="lower", extent=[ex[0] * 1e3, ex[-1] * 1e3, ey[0] * 1e3, ey[-1] * 1e3], vmin=0, vmax=2 * d0["target_ut"], cmap="viridis")
    ax.set_title(f"{r['constraints']}: NRMSE {r['nrmse']:.3f}\npeak 10 g {r['peak_sar10g_w_per_kg']:.2f} W/kg", fontsize=8)
    ax.set_xlabel("x (mm)", fontsize=7); ax.tick_params(labelsize=6)
fig.colorbar(im, ax=axs, label="|B1+| (µT)", shrink=0.8)
fig.savefig(f"{out}/b1_maps.png", dpi=90)

pts = {}
for c in curves + [designs_json]:
    d = json.load(open(c))
    for r in d["designs"]:
        key = r["constraints"] + (" " + r["constraint_file"].split("/")[-1] if r["constraint_file"] else "")
        pts.setdefault(key, []).append((d["local_limit_w_per_kg"], r["nrmse"]))
fig, ax = plt.subplots(figsize=(5, 3.4))
for key, p in sorted(pts.items()):
    p = sorted(set(p))
    ax.plot([a for a, _ in p], [b for _, b in p], "o-", label=key, ms=3)
ax.set_xlabel("local 10 g SAR limit (W/kg)"); ax.set_ylabel("NRMSE"); ax.set_xscale("log"); ax.grid(alpha=0.3); ax.legend(fontsize=7)
ax.set_title(f"demo, target {d0['target_ut']} µT, middle z layer", fontsize=9)
fig.tight_layout(); fig.savefig(f"{out}/nrmse_vs_limit.png", dpi=90)
