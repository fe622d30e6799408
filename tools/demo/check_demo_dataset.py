#!/usr/bin/python3
"""Checks SarKit's demo dataset (data/demo/ptx8_7T_demo.h5) and prints the numbers quoted in docs/demo-data.md.

    /usr/bin/python3 tools/demo/check_demo_dataset.py [path.h5]

Checks: layout and types per docs/dataset-format.md; energy balance per channel (power absorbed in tissue,
sum 1/2 sigma |E|^2 V, versus the power accepted at the driven port and the net power into the structure);
point SAR sigma|E|^2/(2 rho) from /fields/E versus openEMS's own local SAR dump (/reference/openems_local_sar);
peak point SAR per channel; file size. Exits with status 1 when a check fails.
"""
import os
import sys

import h5py
import numpy as np

MAX_SIZE = 10_000_000


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    path = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "..", "..", "data", "demo", "ptx8_7T_demo.h5")
    path = os.path.abspath(path)
    fails = []

    def check(ok, what):
        print(("ok   " if ok else "FAIL ") + what)
        if not ok:
            fails.append(what)

    size = os.path.getsize(path)
    check(size <= MAX_SIZE, f"file size {size} bytes ({size / 1e6:.2f} MB) <= 10 MB")
    with h5py.File(path, "r") as f:
        check(f.attrs["sarkit_format"] == "sarkit-dataset", "sarkit_format attribute")
        check(int(f.attrs["sarkit_format_version"]) == 1, "sarkit_format_version 1")
        f0 = float(f.attrs["frequency_hz"])
        ex, ey, ez = (f[f"/grid/edges_{a}"][:] for a in "xyz")
        nx, ny, nz = len(ex) - 1, len(ey) - 1, len(ez) - 1
        shape = (nz, ny, nx)
        sigma = f["/tissue/sigma"][:]
        rho = f["/tissue/rho"][:]
        lab = f["/tissue/labels"][:]
        body = f["/tissue/masks/body"][:]
        for name, arr, dt in (("sigma", sigma, np.float64), ("rho", rho, np.float64), ("labels", lab, np.int32),
                              ("masks/body", body, np.uint8), ("eps_r", f["/tissue/eps_r"][:], np.float64)):
            check(arr.shape == shape and arr.dtype == dt, f"/tissue/{name} {arr.dtype} {arr.shape}")
        dE = f["/fields/E"]
        check(dE.dtype == np.complex64 and dE.shape[1:] == (3,) + shape, f"/fields/E {dE.dtype} {dE.shape}")
        tid = dE.id.get_type()
        check(isinstance(tid, h5py.h5t.TypeCompoundID) and tid.get_nmembers() == 2
              and [tid.get_member_name(i) for i in range(2)] == [b"r", b"i"]
              and all(tid.get_member_type(i).get_size() == 4 for i in range(2)),
              "/fields/E stored as HDF5 compound {r, i} of float32")
        check(dE.attrs["unit"] == "V/m" and dE.attrs["normalisation"] == "per_volt_incident", "/fields/E attributes")
        E = dE[:]
        nch = E.shape[0]
        S = f["/ports/S"][:]
        ref = f["/reference/openems_local_sar"][:]
        pos = f["/ports/element_positions_m"][:]
        pacc_port = f["/ports/accepted_power_W_per_V2"][:]
        pacc_net = f["/ports/net_input_power_W_per_V2"][:]
        prov = dict(f["/provenance"].attrs)

    dx, dy, dz = np.diff(ex), np.diff(ey), np.diff(ez)
    vol = dz[:, None, None] * dy[None, :, None] * dx[None, None, :]
    tissue = rho > 0
    print(f"grid {nx} x {ny} x {nz} (x, y, z), {tissue.sum()} tissue voxels, mass {np.sum(rho * vol):.3f} kg, "
          f"f0 {f0 / 1e6:g} MHz, {nch} channels")
    check(np.array_equal(body.astype(bool), tissue), "body mask == (rho > 0)")
    check(np.all(sigma[~tissue] == 0), "sigma = 0 outside tissue")
    print("created_utc", prov.get("created_utc"), "|", prov.get("generator"))
    print("dump-vs-model consistency", prov.get("consistency_checks"))

    sdb = 20 * np.log10(np.abs(S))
    off = sdb[~np.eye(nch, dtype=bool)]
    print(f"|S_kk| dB: {np.round(np.diag(sdb), 2).tolist()}; max coupling {off.max():.2f} dB")
    ev = np.linalg.eigvalsh(np.eye(nch) - S.conj().T @ S)
    check(ev.min() > -1e-6, f"passivity: min eig(I - S^H S) = {ev.min():.4f} >= 0")

    print("ch  P_abs/P_acc(port)  P_abs/P_net  peak SAR W/kg per V^2 (per W inc)  at (x,y,z) mm   "
          "max rel |SAR - openEMS| (tissue)")
    worst = 0.0
    cx = 0.5 * (ex[1:] + ex[:-1]); cy = 0.5 * (ey[1:] + ey[:-1]); cz = 0.5 * (ez[1:] + ez[:-1])
    for k in range(nch):
        e2 = np.sum(np.abs(E[k].astype(np.complex128)) ** 2, axis=0)
        p_abs = float(np.sum(0.5 * sigma * e2 * vol))
        sar = np.zeros(shape)
        sar[tissue] = sigma[tissue] * e2[tissue] / (2 * rho[tissue])
        r = ref[k].astype(np.float64)
        rel = np.abs(sar[tissue] - r[tissue]) / np.maximum(r[tissue], 1e-300)
        worst = max(worst, rel.max())
        idx = np.unravel_index(np.argmax(sar), shape)
        pk = sar[idx]
        print(f"{k:2d}  {p_abs / pacc_port[k]:17.4f}  {p_abs / pacc_net[k]:11.4f}  {pk:.4e} ({pk * 100:.4f})"
              f"              ({cx[idx[2]] * 1e3:6.1f},{cy[idx[1]] * 1e3:6.1f},{cz[idx[0]] * 1e3:6.1f})   {rel.max():.2e}")
        check(p_abs <= pacc_net[k] <= pacc_port[k] + 1e-12, f"ch{k}: absorbed <= net input <= accepted at port")
    check(worst < 1e-5, f"point SAR vs openEMS local SAR dump: max relative difference {worst:.2e} < 1e-5")
    print("element positions (mm):", np.round(pos[:, :2] * 1e3, 1).tolist())
    if fails:
        print(f"{len(fails)} check(s) failed")
        sys.exit(1)
    print("all checks passed")


if __name__ == "__main__":
    main()
