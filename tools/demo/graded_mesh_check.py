#!/usr/bin/python3
"""Validation (c) of IEC/IEEE 62704-1 averaging on rectilinear grids (issue 19): the demo's physics (one dipole of the
8-channel 7 T array, tools/demo/make_demo_dataset.py, driven alone) simulated twice with openEMS,

  uniform  the demo's own uniform 5 mm mesh (the fine reference), and
  graded   the same mesh outside the phantom, but inside the phantom box 5 mm only in the region facing the driven
           dipole (x >= 40 mm, y >= 5 mm, |z| <= 52.5 mm) and 10/15 mm cells elsewhere (3.7x fewer phantom voxels);

each run is assembled into a one-channel SarKit dataset (graded edges kept as they are) and evaluated with
`sarkit sar --mass 10g` and `--mass 1g` (1 V peak incident, 0.01 W). The script prints psSAR, its location and the
ratio graded/uniform and writes a JSON summary.

Run with Debian's interpreter (openEMS Python modules are in /usr/lib/python3/dist-packages), niced:

    nice -n 19 /usr/bin/python3 tools/demo/graded_mesh_check.py --workdir /tmp/sarkit-graded \
        --sarkit "dotnet src/SarKit.Cli/bin/Release/net10.0/SarKit.Cli.dll"

Raw openEMS output stays in --workdir (never in the repository). Expected agreement and why: docs/averaging.md,
"Rectilinear grids" (the two FDTD solutions differ by the discretisation of the field solver itself, not only of the
averaging).
"""
import argparse
import json
import os
import shlex
import subprocess
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import make_demo_dataset as demo  # noqa: E402  (also patches np.float / np.int for openEMS 0.0.35)

import h5py  # noqa: E402

CHANNEL = 0  # dipole at azimuth 22.5 deg: (x, y) ~ (+120, +40) mm


def graded_axis(segments):
    """Edges (mm) from [(start, stop, step), ...] segments (each length a multiple of its step)."""
    e = [segments[0][0]]
    for a, b, h in segments:
        n = round((b - a) / h)
        if abs(n * h - (b - a)) > 1e-9 or abs(e[-1] - a) > 1e-9:
            raise ValueError(f"segment {(a, b, h)} does not tile")
        e += [a + h * (i + 1) for i in range(n)]
    return np.round(np.array(e, float), 6)


# Phantom-box edges of the graded mesh (mm): fine (5 mm) where the driven dipole deposits its power, coarse elsewhere.
GX = graded_axis([(-100, -10, 15), (-10, 40, 10), (40, 100, 5)])
GY = graded_axis([(-75, -15, 15), (-15, 5, 10), (5, 75, 5)])
GZ = graded_axis([(-102.5, -72.5, 15), (-72.5, -52.5, 10), (-52.5, 52.5, 5), (52.5, 72.5, 10), (72.5, 102.5, 15)])


def splice(uniform_lines, inner, lo, hi):
    """Mesh lines: the uniform lines outside [lo, hi], the graded edges inside."""
    out = [x for x in uniform_lines if x < lo - 1e-9] + list(inner) + [x for x in uniform_lines if x > hi + 1e-9]
    return np.round(np.array(out, float), 6)


def use_mesh(kind):
    """Points the demo module's mesh functions at the uniform or graded mesh."""
    if kind == "uniform":
        use_demo_mesh()
        return
    ux, uy, uz = _orig_mesh()

    def mesh_lines():
        return (splice(ux, GX, -demo.PHANTOM_A, demo.PHANTOM_A), splice(uy, GY, -demo.PHANTOM_B, demo.PHANTOM_B),
                splice(uz, GZ, -demo.PHANTOM_HALF_LEN, demo.PHANTOM_HALF_LEN))

    def phantom_box_edges(air_cells):
        m = [demo.DX * (i + 1) for i in range(air_cells)]
        ax = lambda e: np.round(np.array([e[0] - d for d in reversed(m)] + list(e) + [e[-1] + d for d in m]), 6)
        return ax(GX), ax(GY), ax(GZ)

    demo.mesh_lines = mesh_lines
    demo.phantom_box_edges = phantom_box_edges


_orig_mesh = demo.mesh_lines
_orig_box = demo.phantom_box_edges


def use_demo_mesh():
    demo.mesh_lines = _orig_mesh
    demo.phantom_box_edges = _orig_box


def assemble_one(sim_path, out, air_cells):
    """One-channel SarKit dataset (docs/dataset-format.md) from a run: E per 1 V peak incident at the driven port."""
    ex, ey, ez = demo.phantom_box_edges(air_cells)
    lab = demo.voxel_labels(ex, ey, ez)
    sigma = np.zeros(lab.shape); rho = np.zeros(lab.shape)
    for L, m in ((1, demo.MUSCLE), (2, demo.FAT)):
        sigma[lab == L] = m["sigma"]; rho[lab == L] = m["rho"]
    pr = demo.load_ports(sim_path)
    a = pr["uf_inc"][CHANNEL]
    with h5py.File(os.path.join(sim_path, "SAR_raw.h5"), "r") as f:
        mesh = [f[f"/Mesh/{n}"][:] * 1.0 for n in "xyz"]
        fd = f["/FieldData/FD"]
        er = fd["f0_real"][:].astype(np.float64) + 1j * fd["f0_imag"][:].astype(np.float64)
        dens = f["/CellData/Density"][:]
    sel = []
    for centres, e_mm, name in zip(mesh, (ex, ey, ez), "xyz"):
        want = 0.5 * (e_mm[1:] + e_mm[:-1]) * 1e-3
        idx = np.array([int(np.argmin(np.abs(centres - w))) for w in want])
        if np.max(np.abs(centres[idx] - want)) > 1e-6 or np.any(np.diff(idx) != 1):
            raise RuntimeError(f"{sim_path}/SAR_raw.h5: /Mesh/{name} does not hold the expected contiguous cell centres")
        sel.append(slice(idx[0], idx[-1] + 1))
    sx, sy, sz = sel
    if np.max(np.abs(dens[sz, sy, sx] - rho)) > 1e-6:
        raise RuntimeError("density of the dump differs from the model")
    E = (er[:, sz, sy, sx] / a)[None].astype(np.complex64)
    tmp = out + ".tmp"
    with h5py.File(tmp, "w") as f:
        f.attrs["sarkit_format"] = "sarkit-dataset"
        f.attrs["sarkit_format_version"] = np.int32(1)
        f.attrs["frequency_hz"] = np.float64(demo.F0)
        g = f.create_group("grid")
        for name, e in (("edges_x", ex), ("edges_y", ey), ("edges_z", ez)):
            g.create_dataset(name, data=np.asarray(e, np.float64) * 1e-3)
        t = f.create_group("tissue")
        t.create_dataset("sigma", data=sigma)
        t.create_dataset("rho", data=rho)
        dE = f.create_group("fields").create_dataset("E", data=E)
        dE.attrs["unit"] = "V/m"
        dE.attrs["normalisation"] = "per_volt_incident"
        dE.attrs["channel_names"] = [f"dipole{CHANNEL}"]
        f.create_group("provenance").attrs["generator"] = "tools/demo/graded_mesh_check.py"
    os.replace(tmp, out)
    return int((rho > 0).sum())


def sarkit_sar(cmd, path, mass):
    r = subprocess.run(shlex.split(cmd) + ["sar", "--fields", path, "--drive", "1@0", "--mass", mass, "--json"],
                       capture_output=True, text=True)
    if r.returncode != 0:
        raise RuntimeError(f"sarkit sar {path} --mass {mass}: exit {r.returncode}\n{r.stderr}")
    return json.loads(r.stdout)


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    repo = os.path.dirname(os.path.dirname(here))
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--workdir", default="/tmp/sarkit-graded")
    ap.add_argument("--sarkit", default=f"dotnet {os.path.join(repo, 'src/SarKit.Cli/bin/Release/net10.0/SarKit.Cli.dll')}")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--end-criteria", type=float, default=1e-5)
    ap.add_argument("--max-timesteps", type=int, default=100000)
    ap.add_argument("--verbose", type=int, default=0)
    ap.add_argument("--assemble-only", action="store_true")
    ap.add_argument("--meshes", default="graded,uniform",
                    help="runs to simulate; without 'uniform', --reference-demo gives the uniform reference")
    ap.add_argument("--reference-demo", default=os.path.join(repo, "data", "demo", "ptx8_7T_demo.h5"),
                    help="the demo dataset (uniform 5 mm, all 8 channels): channel CHANNEL alone is the uniform reference "
                         "when 'uniform' is not simulated here (same model; end criterion 1e-6)")
    args = ap.parse_args()
    os.makedirs(args.workdir, exist_ok=True)
    summary = {"channel": CHANNEL, "end_criteria": args.end_criteria, "runs": {}}
    for kind in args.meshes.split(","):
        use_mesh(kind)
        sim = os.path.join(os.path.abspath(args.workdir), kind)
        t0 = time.time()
        if not args.assemble_only:
            demo.build_and_run(CHANNEL, sim, args)
        wall = time.time() - t0
        lx, ly, lz = demo.mesh_lines()
        ds = os.path.join(args.workdir, f"{kind}.h5")
        tissue = assemble_one(sim, ds, 2)
        run = {"wall_s": wall, "mesh_cells": (len(lx) - 1) * (len(ly) - 1) * (len(lz) - 1), "tissue_voxels": tissue}
        for mass in ("10g", "1g"):
            j = sarkit_sar(args.sarkit, ds, mass)
            run[mass] = {"pssar_w_per_kg_per_v2": j["peak_sar_w_per_kg"], "location_m": j["peak_location_m"],
                         "averaged_grid": j.get("averaged_grid"), "status": j["status_counts"]}
        run["peak_point_sar"] = j["peak_point_sar_w_per_kg"]
        run["absorbed_power_w_per_v2"] = j["absorbed_power_w"]
        summary["runs"][kind] = run
        print(kind, json.dumps(run), flush=True)
        use_demo_mesh()
    if "uniform" not in summary["runs"] and os.path.exists(args.reference_demo):
        with h5py.File(args.reference_demo, "r") as f:
            nch = f["/fields/E"].shape[0]
            tissue = int((f["/tissue/rho"][:] > 0).sum())
        drive = ",".join("1@0" if k == CHANNEL else "0@0" for k in range(nch))
        run = {"source": args.reference_demo, "tissue_voxels": tissue}
        for mass in ("10g", "1g"):
            r = subprocess.run(shlex.split(args.sarkit) + ["sar", "--fields", args.reference_demo, "--drive", drive,
                                                          "--mass", mass, "--json"], capture_output=True, text=True)
            if r.returncode != 0:
                raise RuntimeError(f"sarkit sar {args.reference_demo}: exit {r.returncode}\n{r.stderr}")
            j = json.loads(r.stdout)
            run[mass] = {"pssar_w_per_kg_per_v2": j["peak_sar_w_per_kg"], "location_m": j["peak_location_m"],
                         "averaged_grid": j.get("averaged_grid"), "status": j["status_counts"]}
        run["peak_point_sar"] = j["peak_point_sar_w_per_kg"]
        run["absorbed_power_w_per_v2"] = j["absorbed_power_w"]
        summary["runs"]["uniform"] = run
        print("uniform (demo dataset)", json.dumps(run), flush=True)
    if {"graded", "uniform"} <= summary["runs"].keys():
        g, u = summary["runs"]["graded"], summary["runs"]["uniform"]
        summary["ratio"] = {m: g[m]["pssar_w_per_kg_per_v2"] / u[m]["pssar_w_per_kg_per_v2"] for m in ("10g", "1g")}
        summary["ratio"]["absorbed_power"] = g["absorbed_power_w_per_v2"] / u["absorbed_power_w_per_v2"]
        summary["voxel_ratio"] = u["tissue_voxels"] / g["tissue_voxels"]
        print("graded/uniform:", json.dumps(summary["ratio"]), f"voxels {summary['voxel_ratio']:.2f}x fewer")
    with open(os.path.join(args.workdir, "summary.json"), "w") as f:
        json.dump(summary, f, indent=1)


if __name__ == "__main__":
    main()
