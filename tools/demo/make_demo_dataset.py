#!/usr/bin/python3
"""Build SarKit's built-in demo dataset with openEMS: an 8-channel 7 T (298 MHz) dipole array around a
small voxelised elliptical-cylinder phantom.

Run with Debian's interpreter (the openEMS Python modules live in /usr/lib/python3/dist-packages):

    /usr/bin/python3 tools/demo/make_demo_dataset.py --workdir /tmp/sarkit-demo-openems

Steps
  1. one openEMS FDTD run per channel (that dipole's 50 ohm lumped port driven by a Gaussian pulse, the seven
     others terminated in 50 ohm); each run dumps, over the phantom box plus a few air cells, the raw SAR data
     (dump type 29: cell-centred E at f0, conductivity, density, cell volume) and openEMS's own local SAR map
     (dump type 20);
  2. the port voltages/currents at f0 give the incident voltage of the driven port and the S-matrix column;
  3. everything is normalised to 1 V peak incident voltage at the driven port and assembled into ONE HDF5 file
     in the SarKit dataset layout (docs/dataset-format.md), default data/demo/ptx8_7T_demo.h5.

The raw openEMS folders stay in --workdir (never in the repository). --assemble-only rebuilds the HDF5 file
from an existing workdir. See tools/demo/README.md and docs/demo-data.md.
"""
import argparse
import datetime
import json
import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import openems_array as oa  # noqa: E402  (shared array set-up; also restores np.float / np.int for openEMS 0.0.35)
from openems_array import F0, FC, Z_REF, N_CH, DIPOLE_HALF_LEN  # noqa: E402

import h5py  # noqa: E402

# ----------------------------------------------------------------------------------------------------------
# Model parameters (all lengths in mm; the CSXCAD drawing unit is 1 mm)
# ----------------------------------------------------------------------------------------------------------
# F0 (298 MHz), FC, Z_REF (50 ohm), N_CH (8), DIPOLE_HALF_LEN and the 5 mm port gap: tools/openems_array.py
DX = 5.0              # mm, uniform mesh step on all axes

# Phantom: voxelised elliptical cylinder along z. x/y mesh lines lie on multiples of 5 mm, so voxel centres are at
# 2.5 + 5k mm; a voxel is phantom when its centre lies inside the ellipse (x/A)^2 + (y/B)^2 <= 1.
PHANTOM_A = 100.0     # mm, semi-axis along x (voxelised extent +-100 mm)
PHANTOM_B = 75.0      # mm, semi-axis along y (voxelised extent +-75 mm)
# z mesh lines lie on 2.5 + 5k mm (so the port gap -2.5..2.5 mm is one cell); the phantom spans |z| <= 102.5 mm.
PHANTOM_HALF_LEN = 102.5
MUSCLE = dict(name="muscle", eps_r=50.0, sigma=0.8, rho=1000.0)
# Fat-like inclusion: cylinder along z, centre (32.5, 12.5) mm, radius 25 mm (voxel centres inside), |z| <= 52.5 mm.
FAT = dict(name="fat", eps_r=6.0, sigma=0.04, rho=900.0)
FAT_CX, FAT_CY, FAT_R, FAT_HALF_LEN = 32.5, 12.5, 25.0, 52.5

# Coil: 8 PEC line dipoles parallel to z on an ellipse 30 mm outside the phantom (semi-axes 130 x 105 mm) at
# azimuth 22.5 deg + k*45 deg, snapped to the 5 mm mesh lines; each dipole is two PEC lines |z| in [2.5, 222.5] mm
# (445 mm overall) with a 50 ohm lumped port in the 5 mm centre gap (|z| <= 2.5 mm).
COIL_A, COIL_B = 130.0, 105.0

# Computational domain (includes the 8-cell PML at each side).
DOMAIN_X = 240.0      # mm, x in [-240, 240]
DOMAIN_Y = 200.0      # mm, y in [-200, 200]
DOMAIN_Z = 322.5      # mm, z in [-322.5, 322.5]

# Dump box: phantom box plus DUMP_AIR cells of air on every side (the assembled file keeps --air-cells of them).
DUMP_AIR = 3

# Explicit element (port centre) positions in mm, or None to place them on the COIL_A x COIL_B ellipse.
ELEMENTS_MM = None

GEOMETRY = "demo"


def use_reference_geometry():
    """--geometry reference: the larger setup of the openEMS reference dataset (../shared/reference/openems-ptx8,
    ptx8_dipoles_7T.h5; docs/reference-data.md). Phantom: voxel centres on multiples of 5 mm inside the ellipse with
    semi-axes 102.5 x 77.5 mm, |z| <= 252.5 mm (505 mm long, 100 899 voxels); fat-like column centred at (32.5, 0) mm,
    r = 25 mm, |z| <= 62.5 mm; the 8 dipoles (445 mm, 5 mm gap) at the reference file's element positions; x/y mesh
    lines on 2.5 + 5k mm. The reference file does not record its computational domain: here 140 mm (100 mm air and the
    8-cell PML) beyond the outermost coil metal on every side. `--check-geometry FILE` compares the voxel model with a
    reference file without running openEMS."""
    global PHANTOM_A, PHANTOM_B, PHANTOM_HALF_LEN, FAT_CX, FAT_CY, FAT_R, FAT_HALF_LEN
    global DOMAIN_X, DOMAIN_Y, DOMAIN_Z, DUMP_AIR, ELEMENTS_MM, GEOMETRY
    PHANTOM_A, PHANTOM_B, PHANTOM_HALF_LEN = 102.5, 77.5, 252.5
    FAT_CX, FAT_CY, FAT_R, FAT_HALF_LEN = 32.5, 0.0, 25.0, 62.5
    ELEMENTS_MM = [(122.5, 42.5), (52.5, 97.5), (-52.5, 97.5), (-122.5, 42.5),
                   (-122.5, -42.5), (-52.5, -97.5), (52.5, -97.5), (122.5, -42.5)]
    DOMAIN_X, DOMAIN_Y, DOMAIN_Z = 122.5 + 140.0, 97.5 + 140.0, DIPOLE_HALF_LEN + 140.0
    DUMP_AIR = 5
    GEOMETRY = "reference"


def check_geometry(path):
    """Compares the voxel model (sigma, rho) of this script's geometry with a reference-layout file: exit 1 on a mismatch."""
    with h5py.File(path, "r") as f:
        x, y, z = (np.asarray(f[k][:], np.float64) * 1e3 for k in ("x", "y", "z"))
        sig_ref, rho_ref = f["sigma"][:], f["rho"][:]
        ex_ref = np.asarray(f["element_x_mm"][:]) if "element_x_mm" in f else None
        ey_ref = np.asarray(f["element_y_mm"][:]) if "element_y_mm" in f else None
    edges = [np.concatenate([c - DX / 2, [c[-1] + DX / 2]]) for c in (x, y, z)]
    lab = voxel_labels(*edges)
    sigma = np.where(lab == 1, MUSCLE["sigma"], np.where(lab == 2, FAT["sigma"], 0.0))
    rho = np.where(lab == 1, MUSCLE["rho"], np.where(lab == 2, FAT["rho"], 0.0))
    ok = True
    for name, mine, ref, tol in (("rho", rho, rho_ref, 0.0), ("sigma", sigma, sig_ref, 1e-6)):
        bad = int(np.sum(np.abs(mine - ref) > tol))
        print(f"{name}: {bad} of {ref.size} voxels differ (tissue voxels here {int(np.sum(mine > 0))}, in {path} {int(np.sum(ref > 0))})")
        ok &= bad == 0
    if ex_ref is not None:
        pos = element_positions_mm()
        d = float(np.max(np.abs(pos[:, 0] - ex_ref)) + np.max(np.abs(pos[:, 1] - ey_ref)))
        print(f"element positions: max difference {d:g} mm")
        ok &= d == 0.0
    print("geometry matches" if ok else "geometry DIFFERS")
    return ok


def element_positions_mm():
    """Dipole (port centre) positions, snapped to the x/y mesh lines (multiples of 5 mm), or ELEMENTS_MM."""
    if ELEMENTS_MM is not None:
        return np.array([(x, y, 0.0) for x, y in ELEMENTS_MM])
    return oa.ellipse_positions_mm(COIL_A, COIL_B, DX)


def mesh_lines():
    return oa.mesh_lines(DOMAIN_X, DOMAIN_Y, DOMAIN_Z, DX)


def phantom_box_edges(air_cells):
    """Cell edges (mm) of the phantom bounding box plus `air_cells` air cells on each side."""
    m = air_cells * DX
    ex = np.round(np.arange(-PHANTOM_A - m, PHANTOM_A + m + DX / 2, DX), 6)
    ey = np.round(np.arange(-PHANTOM_B - m, PHANTOM_B + m + DX / 2, DX), 6)
    ez = np.round(np.arange(-PHANTOM_HALF_LEN - m, PHANTOM_HALF_LEN + m + DX / 2, DX), 6)
    return ex, ey, ez


def voxel_labels(ex, ey, ez):
    """Label per voxel [nz, ny, nx] on the given cell edges (mm): 0 air, 1 muscle, 2 fat."""
    cx = 0.5 * (ex[1:] + ex[:-1])
    cy = 0.5 * (ey[1:] + ey[:-1])
    cz = 0.5 * (ez[1:] + ez[:-1])
    Z, Y, X = np.meshgrid(cz, cy, cx, indexing="ij")
    lab = np.zeros(Z.shape, np.int32)
    body = ((X / PHANTOM_A) ** 2 + (Y / PHANTOM_B) ** 2 <= 1.0 + 1e-12) & (np.abs(Z) <= PHANTOM_HALF_LEN)
    fat = ((X - FAT_CX) ** 2 + (Y - FAT_CY) ** 2 <= FAT_R ** 2 + 1e-9) & (np.abs(Z) <= FAT_HALF_LEN)
    lab[body] = 1
    lab[body & fat] = 2
    return lab


def row_runs(mask2d, ex, ey):
    """Boxes (x0, x1, y0, y1) in mm covering a 2-D [ny, nx] voxel mask, one per contiguous x-run per row."""
    boxes = []
    for j in range(mask2d.shape[0]):
        row = mask2d[j]
        i = 0
        while i < row.size:
            if row[i]:
                i0 = i
                while i < row.size and row[i]:
                    i += 1
                boxes.append((ex[i0], ex[i], ey[j], ey[j + 1]))
            else:
                i += 1
    return boxes


openems_version = oa.openems_version


# ----------------------------------------------------------------------------------------------------------
# Simulation
# ----------------------------------------------------------------------------------------------------------
def build_and_run(ch, sim_path, args):
    FDTD, CSX = oa.new_simulation(args.max_timesteps, args.end_criteria, mesh_lines())

    # Voxelised phantom: mesh-aligned boxes (x-runs per y-row), so every cell is homogeneous.
    ex, ey, ez = phantom_box_edges(0)
    lab = voxel_labels(ex, ey, ez)
    kmid = lab.shape[0] // 2
    muscle = CSX.AddMaterial(MUSCLE["name"], epsilon=MUSCLE["eps_r"], kappa=MUSCLE["sigma"], density=MUSCLE["rho"])
    for (x0, x1, y0, y1) in row_runs(lab[kmid] >= 1, ex, ey):
        muscle.AddBox([x0, y0, -PHANTOM_HALF_LEN], [x1, y1, PHANTOM_HALF_LEN], priority=10)
    fat = CSX.AddMaterial(FAT["name"], epsilon=FAT["eps_r"], kappa=FAT["sigma"], density=FAT["rho"])
    for (x0, x1, y0, y1) in row_runs(lab[kmid] == 2, ex, ey):
        fat.AddBox([x0, y0, -FAT_HALF_LEN], [x1, y1, FAT_HALF_LEN], priority=20)

    # Dipoles and ports.
    ports = oa.add_dipoles(FDTD, CSX, element_positions_mm(), ch)

    # Dumps over the phantom box + DUMP_AIR air cells (cell-centred by construction for SAR dumps).
    dx, dy, dz = phantom_box_edges(DUMP_AIR)
    start = [dx[0], dy[0], dz[0]]
    stop = [dx[-1], dy[-1], dz[-1]]
    CSX.AddDump("SAR_raw", dump_type=29, file_type=1, frequency=[F0]).AddBox(start, stop)
    CSX.AddDump("SAR_local", dump_type=20, file_type=1, frequency=[F0]).AddBox(start, stop)

    t0 = time.time()
    FDTD.Run(sim_path, cleanup=True, verbose=args.verbose, numThreads=args.threads)
    wall = time.time() - t0

    res = {"channel": ch, "wall_s": wall}
    res.update(oa.port_results(ports, sim_path))
    with open(os.path.join(sim_path, "ports_f0.json"), "w") as f:
        json.dump(res, f, indent=1)
    return res


load_ports = oa.load_ports


# ----------------------------------------------------------------------------------------------------------
# Assembly
# ----------------------------------------------------------------------------------------------------------
def assemble(args, runs):
    ex, ey, ez = phantom_box_edges(args.air_cells)
    nx, ny, nz = len(ex) - 1, len(ey) - 1, len(ez) - 1
    lab = voxel_labels(ex, ey, ez)
    sigma = np.zeros(lab.shape)
    rho = np.zeros(lab.shape)
    eps = np.ones(lab.shape)
    for L, m in ((1, MUSCLE), (2, FAT)):
        sigma[lab == L] = m["sigma"]
        rho[lab == L] = m["rho"]
        eps[lab == L] = m["eps_r"]

    E = np.zeros((N_CH, 3, nz, ny, nx), np.complex64)
    sar_ref = np.zeros((N_CH, nz, ny, nx), np.float32)
    S = np.zeros((N_CH, N_CH), np.complex128)
    uf_inc = np.zeros(N_CH, np.complex128)
    p_acc_port = np.zeros(N_CH)
    p_acc_net = np.zeros(N_CH)
    checks = {}
    for ch in range(N_CH):
        sim_path = runs[ch]
        pr = load_ports(sim_path)
        a = pr["uf_inc"][ch]
        uf_inc[ch] = a
        S[:, ch] = pr["uf_ref"] / a
        # Port powers per 1 V peak incident: P = 1/2 Re(u i*) / |a|^2.
        p = 0.5 * np.real(pr["uf_tot"] * np.conj(pr["if_tot"])) / abs(a) ** 2
        p_acc_port[ch] = p[ch]
        p_acc_net[ch] = p.sum()  # driven port minus the power dissipated in the 7 terminations

        with h5py.File(os.path.join(sim_path, "SAR_raw.h5"), "r") as f:
            mx = f["/Mesh/x"][:] * 1.0
            my = f["/Mesh/y"][:] * 1.0
            mz = f["/Mesh/z"][:] * 1.0
            fd = f["/FieldData/FD"]
            freq = float(np.ravel(fd.attrs["frequency"])[0])
            if abs(freq - F0) > 1.0:
                raise RuntimeError(f"{sim_path}/SAR_raw.h5: dump frequency {freq} Hz, expected {F0}")
            er = fd["f0_real"][:].astype(np.float64) + 1j * fd["f0_imag"][:].astype(np.float64)
            cond = f["/CellData/Conductivity"][:]
            dens = f["/CellData/Density"][:]
            vol = f["/CellData/Volume"][:]
        # Locate the assembled grid's cell centres in the dump (mesh coordinates in metres).
        sel = []
        for centres, e_mm, name in ((mx, ex, "x"), (my, ey, "y"), (mz, ez, "z")):
            want = 0.5 * (e_mm[1:] + e_mm[:-1]) * 1e-3
            idx = np.array([int(np.argmin(np.abs(centres - w))) for w in want])
            if np.max(np.abs(centres[idx] - want)) > 1e-6:
                raise RuntimeError(f"{sim_path}/SAR_raw.h5: /Mesh/{name} does not contain the expected cell centres")
            if np.any(np.diff(idx) != 1):
                raise RuntimeError(f"{sim_path}/SAR_raw.h5: /Mesh/{name} cell centres not contiguous")
            sel.append(slice(idx[0], idx[-1] + 1))
        sx, sy, sz = sel
        Ech = er[:, sz, sy, sx] / a
        E[ch] = Ech.astype(np.complex64)
        dcond = cond[sz, sy, sx]
        ddens = dens[sz, sy, sx]
        dvol = vol[sz, sy, sx]
        checks.setdefault("max_abs_sigma_dump_minus_model", 0.0)
        checks["max_abs_sigma_dump_minus_model"] = max(checks["max_abs_sigma_dump_minus_model"],
                                                       float(np.max(np.abs(dcond - sigma))))
        checks.setdefault("max_abs_rho_dump_minus_model", 0.0)
        checks["max_abs_rho_dump_minus_model"] = max(checks["max_abs_rho_dump_minus_model"],
                                                     float(np.max(np.abs(ddens - rho))))
        checks.setdefault("max_rel_volume_dump_minus_model", 0.0)
        checks["max_rel_volume_dump_minus_model"] = max(checks["max_rel_volume_dump_minus_model"],
                                                        float(np.max(np.abs(dvol / (DX * 1e-3) ** 3 - 1))))

        with h5py.File(os.path.join(sim_path, "SAR_local.h5"), "r") as f:
            sl = f["/FieldData/FD/f0"][:].astype(np.float64)
        # openEMS's local SAR in raw DFT units (W/kg * s^2); divide by |uf_inc|^2 -> W/kg per (1 V peak incident)^2.
        sar_ref[ch] = (sl[sz, sy, sx] / abs(a) ** 2).astype(np.float32)

    tissue = rho > 0
    centres = [0.5 * (e[1:] + e[:-1]) for e in (ex, ey, ez)]
    pos_m = element_positions_mm() * 1e-3
    ver = openems_version()
    s_db = 20 * np.log10(np.abs(S))
    description = (
        f"SarKit {GEOMETRY} dataset (tools/demo/make_demo_dataset.py --geometry {GEOMETRY}): 8-channel 7 T ({F0 / 1e6:.0f} MHz) array of PEC line dipoles around a voxelised "
        f"elliptical-cylinder phantom, simulated with openEMS {ver} (FDTD). "
        f"Phantom: voxels whose centre lies inside (x/{PHANTOM_A:g} mm)^2 + (y/{PHANTOM_B:g} mm)^2 <= 1, "
        f"|z| <= {PHANTOM_HALF_LEN:g} mm; muscle-like eps_r {MUSCLE['eps_r']:g}, sigma {MUSCLE['sigma']:g} S/m, "
        f"rho {MUSCLE['rho']:g} kg/m3; fat-like inclusion (label 2) eps_r {FAT['eps_r']:g}, sigma {FAT['sigma']:g} S/m, "
        f"rho {FAT['rho']:g} kg/m3: voxels with centre within r = {FAT_R:g} mm of (x, y) = ({FAT_CX:g}, {FAT_CY:g}) mm, "
        f"|z| <= {FAT_HALF_LEN:g} mm. "
        f"Coil: 8 dipoles parallel to z, {2 * DIPOLE_HALF_LEN:g} mm long, 5 mm centre gap with a 50 ohm lumped port, "
        f"at azimuth 22.5 + k*45 deg on an ellipse with semi-axes {COIL_A:g} x {COIL_B:g} mm snapped to the mesh "
        f"(/ports/element_positions_m). "
        f"Mesh: uniform {DX:g} mm, domain x +-{DOMAIN_X:g}, y +-{DOMAIN_Y:g}, z +-{DOMAIN_Z:g} mm incl. 8-cell PML; "
        f"phantom boxes aligned to mesh lines so every cell is homogeneous. "
        f"Excitation: Gaussian pulse f0 {F0 / 1e6:g} MHz, fc {FC / 1e6:g} MHz, one run per channel (that port driven, "
        f"the 7 others terminated in 50 ohm), end criterion {args.end_criteria:g}; fields are openEMS's single-sided "
        f"DFT at f0 (peak phasors, time factor exp(+j w t)), E cell-centred (openEMS SAR raw dump, type 29). "
        f"Normalisation: /fields/E[k] = E_k / uf_inc_k, i.e. V/m per 1 V peak incident voltage at port k "
        f"(1 V peak incident into 50 ohm = 0.01 W); drive b (V peak incident) gives E = sum_k b_k E_k and incident "
        f"power sum |b_k|^2 / 100 W. /ports/S[m,k] = uf_ref_m / uf_inc_k at f0 (50 ohm). "
        f"/reference/openems_local_sar[k] = openEMS local SAR dump (type 20) of run k divided by |uf_inc_k|^2: "
        f"W/kg per (1 V peak incident)^2 (multiply by 100 for W/kg per W incident). "
        f"Grid: the phantom bounding box plus {args.air_cells} air cell(s) on every side. "
        f"For demonstration and tests only: coarse 5 mm mesh, bare dipoles, no shield; not for safety decisions."
    )

    out = os.path.abspath(args.out)
    os.makedirs(os.path.dirname(out), exist_ok=True)
    tmp = out + ".tmp"
    gz = dict(compression="gzip", compression_opts=9, shuffle=True)
    with h5py.File(tmp, "w") as f:
        f.attrs["sarkit_format"] = "sarkit-dataset"
        f.attrs["sarkit_format_version"] = np.int32(1)
        f.attrs["frequency_hz"] = np.float64(F0)
        g = f.create_group("grid")
        for name, e in (("edges_x", ex), ("edges_y", ey), ("edges_z", ez)):
            g.create_dataset(name, data=np.asarray(e, np.float64) * 1e-3)
        t = f.create_group("tissue")
        t.create_dataset("sigma", data=sigma, chunks=sigma.shape, **gz)
        t.create_dataset("rho", data=rho, chunks=rho.shape, **gz)
        t.create_dataset("eps_r", data=eps, chunks=eps.shape, **gz)
        dl = t.create_dataset("labels", data=lab, chunks=lab.shape, **gz)
        dl.attrs["names"] = ["air", MUSCLE["name"], FAT["name"]]
        t.create_group("masks").create_dataset("body", data=tissue.astype(np.uint8), chunks=lab.shape, **gz)
        fl = f.create_group("fields")
        dE = fl.create_dataset("E", data=E, chunks=(1, 1, nz, ny, nx), **gz)
        dE.attrs["unit"] = "V/m"
        dE.attrs["normalisation"] = "per_volt_incident"
        dE.attrs["channel_names"] = [f"dipole{k} (azimuth {22.5 + 45 * k:g} deg)" for k in range(N_CH)]
        dE.attrs["location"] = "cell centres (mean of the 4 parallel Yee edges, openEMS SAR raw dump)"
        p = f.create_group("ports")
        dS = p.create_dataset("S", data=S)
        dS.attrs["reference_impedance_ohm"] = Z_REF
        dS.attrs["definition"] = "S[m,k] = b_m / a_k at f0 from run k (port k driven, others 50 ohm)"
        dp = p.create_dataset("element_positions_m", data=pos_m)
        dp.attrs["definition"] = "port (gap) centre (x, y, z) of each dipole, m; dipoles are parallel to z"
        dpa = p.create_dataset("accepted_power_W_per_V2", data=p_acc_port)
        dpa.attrs["definition"] = ("1/2 Re(u i*) at the driven port k, run k, per (1 V peak incident)^2 "
                                   "= 0.01 (1 - |S_kk|^2) W")
        dpn = p.create_dataset("net_input_power_W_per_V2", data=p_acc_net)
        dpn.attrs["definition"] = ("sum over all 8 ports of 1/2 Re(u i*) in run k per (1 V peak incident)^2: power "
                                   "accepted at port k minus power dissipated in the 7 terminations")
        r = f.create_group("reference")
        dr = r.create_dataset("openems_local_sar", data=sar_ref, chunks=(1, nz, ny, nx), **gz)
        dr.attrs["unit"] = "W/kg per (V peak incident)^2"
        dr.attrs["definition"] = ("openEMS SAR_local dump (dump type 20, cell centres, sigma|E|^2/(2 rho) with the "
                                  "raw single-sided DFT field) of run k divided by |uf_inc_k|^2, uf_inc_k = incident "
                                  "voltage of port k at f0 from the same run; equals the local SAR of drive b = e_k "
                                  "(1 V peak incident at port k). Multiply by 100 for W/kg per W incident.")
        pv = f.create_group("provenance")
        pv.attrs["generator"] = f"tools/demo/make_demo_dataset.py (openEMS {ver}, Debian 12 package; h5py {h5py.__version__}, numpy {np.__version__})"
        pv.attrs["description"] = description
        pv.attrs["created_utc"] = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        pv.attrs["source_files"] = "; ".join(f"ch{k}/SAR_raw.h5, ch{k}/SAR_local.h5, ch{k}/port_ut_{k}, port_it_{k}"
                                             for k in range(N_CH))
        pv.attrs["openems_version"] = ver
        pv.attrs["port_incident_voltage_raw"] = np.array([[v.real, v.imag] for v in uf_inc])
        pv.attrs["wall_time_s_per_channel"] = np.array([load_ports(runs[k])["wall_s"] for k in range(N_CH)])
        pv.attrs["mesh_step_m"] = DX * 1e-3
        pv.attrs["consistency_checks"] = json.dumps(checks)
    os.replace(tmp, out)
    size = os.path.getsize(out)
    print(f"wrote {out}: {size / 1e6:.2f} MB; grid nx={nx} ny={ny} nz={nz}, {int(tissue.sum())} tissue voxels")
    print("S-matrix |S| dB (rows m, cols k):")
    for m in range(N_CH):
        print("  " + " ".join(f"{v:7.2f}" for v in s_db[m]))
    print("consistency:", json.dumps(checks))
    return out


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    repo = os.path.dirname(os.path.dirname(here))
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--workdir", default="/tmp/sarkit-demo-openems",
                    help="folder for the raw openEMS runs (one sub-folder per channel); keep it out of the repo")
    ap.add_argument("--out", default=os.path.join(repo, "data", "demo", "ptx8_7T_demo.h5"))
    ap.add_argument("--channels", default="0-7", help="channels to simulate, e.g. 0-7 or 0,3")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--end-criteria", type=float, default=1e-6)
    ap.add_argument("--max-timesteps", type=int, default=100000)
    ap.add_argument("--air-cells", type=int, default=1, help=f"air cells kept around the phantom (<= {DUMP_AIR})")
    ap.add_argument("--verbose", type=int, default=1, help="openEMS verbosity 0..3")
    ap.add_argument("--assemble-only", action="store_true", help="skip the simulations, reuse --workdir")
    ap.add_argument("--no-assemble", action="store_true", help="only run the simulations")
    ap.add_argument("--geometry", choices=["demo", "reference"], default="demo",
                    help="demo: the built-in demo dataset (205 mm phantom); reference: the 505 mm phantom of the openEMS "
                         "reference dataset (docs/reference-data.md; needs --out, default --air-cells 5)")
    ap.add_argument("--check-geometry", metavar="REF_H5",
                    help="compare the voxel model with a reference-layout file (x, y, z, sigma, rho) and exit; no openEMS run")
    args = ap.parse_args()
    if args.geometry == "reference":
        use_reference_geometry()
        if args.check_geometry is None and args.out == ap.get_default("out"):
            ap.error("--geometry reference needs --out (the demo dataset in data/demo is not overwritten)")
        if args.air_cells == ap.get_default("air_cells"):
            args.air_cells = DUMP_AIR
    if args.check_geometry is not None:
        sys.exit(0 if check_geometry(args.check_geometry) else 1)
    if not 0 <= args.air_cells <= DUMP_AIR:
        ap.error(f"--air-cells must be in 0..{DUMP_AIR}")

    chans = []
    for part in args.channels.split(","):
        if "-" in part:
            a, b = part.split("-")
            chans += list(range(int(a), int(b) + 1))
        else:
            chans.append(int(part))
    os.makedirs(args.workdir, exist_ok=True)
    runs = {ch: os.path.join(os.path.abspath(args.workdir), f"ch{ch}") for ch in range(N_CH)}
    print(f"openEMS {openems_version()}; elements (mm): {element_positions_mm()[:, :2].tolist()}", flush=True)
    if not args.assemble_only:
        for ch in chans:
            t0 = time.time()
            res = build_and_run(ch, runs[ch], args)
            a = complex(*res["uf_inc"][ch])
            print(f"channel {ch}: wall {time.time() - t0:.1f} s, |uf_inc| {abs(a):.4g}", flush=True)
    if not args.no_assemble:
        missing = [ch for ch in range(N_CH) if not os.path.exists(os.path.join(runs[ch], "ports_f0.json"))]
        if missing:
            sys.exit(f"cannot assemble: no finished run for channel(s) {missing} in {args.workdir}")
        assemble(args, runs)


if __name__ == "__main__":
    main()
