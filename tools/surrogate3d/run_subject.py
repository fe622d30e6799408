#!/usr/bin/python3
"""One subject of the 3D surrogate dataset: body model -> 8 openEMS runs (one per channel) -> validation -> compact file.

    /usr/bin/python3 tools/surrogate3d/run_subject.py --family A --seed 1001 \
        --workdir /work/surrogate3d-work --outdir /work/surrogate3d-out

Resumable: every channel is an openEMS run in <workdir>/<id>/chK.partial, renamed to chK only after its port data
(ports_f0.json) is written, so a finished channel is skipped on the next call and an interrupted one is redone.
The body model (model.npz) comes from `sarkit surrogate bodymodel` (same family and seed -> same model).
Validation (see docs/surrogate3d-dataset.md): finite fields, |S| <= 1, reciprocity, energy balance
min eig(I - S^H S - 2 Z0 P_abs) >= -tol. A refused subject gets <workdir>/<id>/FAILED.json and
<outdir>/<id>.failed.json (reason, figures); its runs and logs are kept. Exit status: 0 ok, 2 refused, 3 busy (locked by another process), 1 error.
"""
import argparse
import datetime
import fcntl
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.dirname(HERE))
import openems_array as oa  # noqa: E402  (shared array set-up; also restores np.float / np.int for openEMS 0.0.35)
from openems_array import F0, Z_REF, N_CH  # noqa: E402

import h5py  # noqa: E402

# ----------------------------------------------------------------------------------------------------------
# Array and mesh (lengths in mm; CSXCAD drawing unit 1 mm). Body model grid: 5 mm, x +-210, y +-150, z +-177.5 mm.
# ----------------------------------------------------------------------------------------------------------
# F0 (298 MHz), Z_REF (50 ohm), N_CH (8) and the 445 mm dipoles with their 5 mm port gap: tools/openems_array.py
DX = 5.0              # mm, uniform mesh (x, y lines on multiples of 5 mm, z lines on 2.5 + 5k mm)
MU0 = 4e-7 * np.pi
COIL_A, COIL_B = 225.0, 170.0          # mm, ellipse of the dipoles (clears the largest body + offset by >= 15 mm)
DOMAIN_X, DOMAIN_Y, DOMAIN_Z = 305.0, 250.0, 302.5   # mm, incl. the 8-cell PML (40 mm)
MIN_CLEARANCE = 10.0                   # mm, dipole to nearest body voxel centre
SLAB_CELLS = 10                        # central z cells (50 mm) kept in the compact file (<= ~3 MB per subject)
KEEP_BITS = 8                          # float32 mantissa bits kept in the compact B1+ and Q10g (rel. error <= 2^-9)
COMPACT_VERSION = 2                    # 1: slab E + B1+; 2: slab B1+ + IEC/IEEE 62704-1 10 g Q-matrices of the slab cubes
TARGET_MASS = "10g"


def element_positions_mm():
    return oa.ellipse_positions_mm(COIL_A, COIL_B, DX)


def mesh_lines():
    return oa.mesh_lines(DOMAIN_X, DOMAIN_Y, DOMAIN_Z, DX)


openems_version = oa.openems_version


def atomic_json(path, obj):
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        json.dump(obj, f, indent=1)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


# ----------------------------------------------------------------------------------------------------------
# Body model
# ----------------------------------------------------------------------------------------------------------
def load_model(path):
    z = np.load(path)
    m = {k: z[k] for k in ("labels", "edges_x", "edges_y", "edges_z", "eps_r", "sigma", "rho", "water", "fat")}
    m["names"] = str(z["tissue_names"].item() if z["tissue_names"].shape == () else z["tissue_names"]).split(",")
    m["metadata"] = json.loads(str(z["metadata"].item() if z["metadata"].shape == () else z["metadata"]))
    for ax in ("edges_x", "edges_y", "edges_z"):
        m[ax + "_mm"] = np.round(m[ax] * 1e3, 6)
    # the model must sit on the simulation mesh lines
    lx, ly, lz = mesh_lines()
    for e, lines, name in ((m["edges_x_mm"], lx, "x"), (m["edges_y_mm"], ly, "y"), (m["edges_z_mm"], lz, "z")):
        if not np.all(np.min(np.abs(e[:, None] - lines[None, :]), axis=1) < 1e-6):
            raise RuntimeError(f"model edges along {name} are not on the {DX} mm simulation mesh")
    return m


def merged_boxes(mask):
    """Greedy merge of a 3-D voxel mask [nz, ny, nx] into boxes (i0, i1, j0, j1, k0, k1), half-open cell ranges."""
    nz, ny, nx = mask.shape
    free = mask.copy()
    out = []
    for k in range(nz):
        for j in range(ny):
            i = 0
            while i < nx:
                if not free[k, j, i]:
                    i += 1
                    continue
                i0 = i
                while i < nx and free[k, j, i]:
                    i += 1
                i1 = i
                j1 = j + 1
                while j1 < ny and free[k, j1, i0:i1].all():
                    j1 += 1
                k1 = k + 1
                while k1 < nz and free[k1, j:j1, i0:i1].all():
                    k1 += 1
                free[k:k1, j:j1, i0:i1] = False
                out.append((i0, i1, j, j1, k, k1))
    return out


def clearance_mm(m):
    """Smallest x-y distance between a dipole line and a body voxel centre (mm)."""
    lab = m["labels"]
    cx = 0.5 * (m["edges_x_mm"][1:] + m["edges_x_mm"][:-1])
    cy = 0.5 * (m["edges_y_mm"][1:] + m["edges_y_mm"][:-1])
    body2d = (lab > 0).any(axis=0)
    jj, ii = np.nonzero(body2d)
    best = np.inf
    for (x, y, _) in element_positions_mm():
        best = min(best, float(np.min(np.hypot(cx[ii] - x, cy[jj] - y))))
    return best


# ----------------------------------------------------------------------------------------------------------
# One channel (runs in a child process so that an openEMS crash leaves the driver and its log intact)
# ----------------------------------------------------------------------------------------------------------
def run_channel(args):
    sub = os.path.join(args.workdir, args.id)
    m = load_model(os.path.join(sub, "model.npz"))
    ch = args.channel
    sim_path = os.path.join(sub, f"ch{ch}.partial")
    FDTD, CSX = oa.new_simulation(args.max_timesteps, args.end_criteria, mesh_lines())

    ex, ey, ez = m["edges_x_mm"], m["edges_y_mm"], m["edges_z_mm"]
    lab = m["labels"]
    nboxes = 0
    for L, name in enumerate(m["names"]):
        if m["rho"][L] <= 0:        # air and bowel gas: background
            continue
        mask = lab == L
        if not mask.any():
            continue
        mat = CSX.AddMaterial(name, epsilon=float(m["eps_r"][L]), kappa=float(m["sigma"][L]), density=float(m["rho"][L]))
        for (i0, i1, j0, j1, k0, k1) in merged_boxes(mask):
            mat.AddBox([ex[i0], ey[j0], ez[k0]], [ex[i1], ey[j1], ez[k1]], priority=10)
            nboxes += 1

    ports = oa.add_dipoles(FDTD, CSX, element_positions_mm(), ch)
    start, stop = [ex[0], ey[0], ez[0]], [ex[-1], ey[-1], ez[-1]]
    CSX.AddDump("SAR_raw", dump_type=29, file_type=1, frequency=[F0]).AddBox(start, stop)
    CSX.AddDump("H_f0", dump_type=11, dump_mode=2, file_type=1, frequency=[F0]).AddBox(start, stop)

    t0 = time.time()
    FDTD.Run(sim_path, cleanup=True, verbose=args.verbose, numThreads=args.threads)
    wall = time.time() - t0
    res = {"channel": ch, "wall_s": wall, "boxes": nboxes, "threads": args.threads, "end_criteria": args.end_criteria}
    res.update(oa.port_results(ports, sim_path))
    atomic_json(os.path.join(sim_path, "ports_f0.json"), res)


load_ports = oa.load_ports


def read_fd_dump(path, want_edges_mm):
    """Cell-centred complex vector field [3, nz, ny, nx] of an openEMS FD dump on the given cell edges (mm)."""
    with h5py.File(path, "r") as f:
        mesh = [f["/Mesh/" + a][:] * 1.0 for a in ("x", "y", "z")]
        fd = f["/FieldData/FD"]
        freq = float(np.ravel(fd.attrs["frequency"])[0])
        if abs(freq - F0) > 1.0:
            raise RuntimeError(f"{path}: dump frequency {freq} Hz, expected {F0}")
        val = fd["f0_real"][:].astype(np.float64) + 1j * fd["f0_imag"][:].astype(np.float64)
        cell = {}
        if "/CellData" in f:
            for k in ("Conductivity", "Density", "Volume"):
                cell[k] = f["/CellData/" + k][:]
    sel = []
    for centres, e_mm, name in zip(mesh, want_edges_mm, "xyz"):
        want = 0.5 * (e_mm[1:] + e_mm[:-1]) * 1e-3
        idx = np.array([int(np.argmin(np.abs(centres - w))) for w in want])
        if np.max(np.abs(centres[idx] - want)) > 1e-6 or np.any(np.diff(idx) != 1):
            raise RuntimeError(f"{path}: /Mesh/{name} does not hold the model's cell centres")
        sel.append(slice(idx[0], idx[-1] + 1))
    sx, sy, sz = sel
    if val.shape[0] != 3:
        raise RuntimeError(f"{path}: unexpected field shape {val.shape}")
    return val[:, sz, sy, sx], {k: v[sz, sy, sx] for k, v in cell.items()}


def bitround(a, keep_bits):
    """Round float32 mantissas to keep_bits bits (round to nearest); relative error <= 2^-(keep_bits+1)."""
    a = np.ascontiguousarray(a, dtype=np.float32)
    if keep_bits >= 23:
        return a
    u = a.view(np.uint32).copy()
    shift = 23 - keep_bits
    half = np.uint32(1 << (shift - 1))
    mask = np.uint32((0xFFFFFFFF >> shift) << shift)
    u = (u + half) & mask
    return u.view(np.float32)


# ----------------------------------------------------------------------------------------------------------
# Assembly and validation
# ----------------------------------------------------------------------------------------------------------
def assemble(args, sub, m):
    lab = m["labels"]
    nz, ny, nx = lab.shape
    edges = (m["edges_x_mm"], m["edges_y_mm"], m["edges_z_mm"])
    sigma = m["sigma"][lab]
    rho = m["rho"][lab]
    eps = m["eps_r"][lab]
    tissue = rho > 0
    vol = (DX * 1e-3) ** 3

    S = np.zeros((N_CH, N_CH), complex)
    uf_inc = np.zeros(N_CH, complex)
    p_acc = np.zeros(N_CH)
    walls = []
    E = np.zeros((N_CH, 3, nz, ny, nx), np.complex64)
    H = np.zeros((N_CH, 3, nz, ny, nx), np.complex64)
    fig = {"max_abs_sigma_dump_minus_model": 0.0, "max_abs_rho_dump_minus_model": 0.0}
    for ch in range(N_CH):
        d = os.path.join(sub, f"ch{ch}")
        pr = load_ports(d)
        a = pr["uf_inc"][ch]
        uf_inc[ch] = a
        S[:, ch] = pr["uf_ref"] / a
        p_acc[ch] = 0.5 * np.real(pr["uf_tot"][ch] * np.conj(pr["if_tot"][ch])) / abs(a) ** 2
        walls.append(pr["wall_s"])
        e, cell = read_fd_dump(os.path.join(d, "SAR_raw.h5"), edges)
        h, _ = read_fd_dump(os.path.join(d, "H_f0.h5"), edges)
        E[ch] = (e / a).astype(np.complex64)
        H[ch] = (h / a).astype(np.complex64)
        fig["max_abs_sigma_dump_minus_model"] = max(fig["max_abs_sigma_dump_minus_model"], float(np.max(np.abs(cell["Conductivity"] - sigma))))
        fig["max_abs_rho_dump_minus_model"] = max(fig["max_abs_rho_dump_minus_model"], float(np.max(np.abs(cell["Density"] - rho))))

    # absorbed-power matrix over the whole model (W per (V peak incident)^2): P_ij = 1/2 sum sigma E_i^* . E_j dV
    Et = E[:, :, tissue].astype(np.complex128)                  # [ch, 3, nvox]
    w = sigma[tissue] * vol * 0.5
    P = np.einsum("iav,jav,v->ij", np.conj(Et), Et, w)
    P = 0.5 * (P + P.conj().T)
    M = np.eye(N_CH) - S.conj().T @ S - 2 * Z_REF * P
    M = 0.5 * (M + M.conj().T)
    eig = np.linalg.eigvalsh(M)
    fig.update({
        "finite": bool(np.isfinite(E).all() and np.isfinite(H).all() and np.isfinite(S).all()),
        "max_abs_S": float(np.max(np.abs(S))),
        "max_column_power_S": float(np.max(np.sum(np.abs(S) ** 2, axis=0))),
        "reciprocity_max_abs_S_minus_ST": float(np.max(np.abs(S - S.T))),
        "energy_min_eig": float(eig[0]), "energy_max_eig": float(eig[-1]),
        "absorbed_over_incident_diag": [float(2 * Z_REF * P[k, k].real) for k in range(N_CH)],
        "Skk_dB": [float(20 * np.log10(abs(S[k, k]))) for k in range(N_CH)],
        "energy_tolerance": args.energy_tol,
        "wall_time_s_per_channel": walls, "wall_time_s": float(sum(walls)),
    })
    reasons = []
    if not fig["finite"]:
        reasons.append("non-finite field or S-matrix values")
    if fig["max_abs_S"] > 1 + 1e-3 or fig["max_column_power_S"] > 1 + 1e-3:
        reasons.append(f"S-matrix not passive: max |S| {fig['max_abs_S']:.4f}, max column power {fig['max_column_power_S']:.4f}")
    if fig["reciprocity_max_abs_S_minus_ST"] > args.reciprocity_tol:
        reasons.append(f"S-matrix not reciprocal: max |S - S^T| {fig['reciprocity_max_abs_S_minus_ST']:.4f} > {args.reciprocity_tol}")
    if fig["energy_min_eig"] < -args.energy_tol:
        reasons.append(f"energy balance: min eig(I - S^H S - 2 Z0 P_abs) = {fig['energy_min_eig']:.4f} < -{args.energy_tol}")
    if fig["max_abs_sigma_dump_minus_model"] > 1e-3 * max(1.0, float(np.max(sigma))):
        reasons.append("openEMS conductivity differs from the model")
    if min(np.max(np.abs(E[ch])) for ch in range(N_CH)) <= 0:
        reasons.append("a channel has a zero field")
    return E, H, S, P, p_acc, uf_inc, fig, reasons


def compute_targets(args, sub, m, E, H, S, P, p_acc, uf_inc, fig):
    """IEC/IEEE 62704-1 10 g Q-matrices of every cube whose reference voxel lies in the stored slab, computed by SarKit.

    The whole model (all z cells, full float32 E) is written as a temporary SarKit dataset, `sarkit qmatrices --mass 10g`
    builds the cube set on it (steps 1 and 2; cubes may reach beyond the slab), and the cubes whose reference voxel is
    in the slab are kept: the valid step-1 cube of every VALID voxel and the kept step-2 cubes of every UNUSED voxel.
    With the slab's voxel statuses this gives the standard's 10 g SAR map of any drive b on the slab (b^H Q b per cube;
    a USED voxel takes the maximum over the valid cubes containing it), exactly on the slices that no cube centred
    outside the slab covers ("exact_slices").
    """
    lab = m["labels"]
    nz, ny, nx = lab.shape
    k0 = (nz - args.slab_cells) // 2
    tmp = tempfile.mkdtemp(prefix=".targets-", dir=sub)
    try:
        full = argparse.Namespace(**vars(args))
        full.slab_cells, full.keep_bits, full.outdir, full.store_e = nz, 23, tmp, True
        ds = write_compact(full, sub, m, E, H, S, P, p_acc, uf_inc, fig, targets=None)
        qf = os.path.join(tmp, "q10g.h5")
        t0 = time.time()
        r = subprocess.run([args.sarkit, "qmatrices", "--fields", ds, "--mass", TARGET_MASS, "-o", qf],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        if r.returncode != 0:
            raise RuntimeError(f"sarkit qmatrices failed (exit {r.returncode}):\n{r.stdout[-2000:]}")
        wall = time.time() - t0
        with h5py.File(qf, "r") as q:
            qe = [q["grid/" + n][...] for n in ("edges_x", "edges_y", "edges_z")]
            me = [np.asarray(m[n], np.float64) for n in ("edges_x", "edges_y", "edges_z")]
            off = []
            for a, b in zip(qe, me):                         # the cube grid may be padded around the model
                o = int(round((b[0] - a[0]) / (a[1] - a[0])))
                if o < 0 or o + len(b) > len(a) or np.max(np.abs(a[o:o + len(b)] - b)) > 1e-9:
                    raise RuntimeError("sarkit qmatrices grid does not contain the model grid")
                off.append(o)
            ox, oy, oz = off
            status = q["voxels/status"][...]
            qnz, qny, qnx = status.shape
            inner = np.zeros_like(status, bool)
            inner[oz:oz + nz, oy:oy + ny, ox:ox + nx] = True
            if np.any(status[~inner] != 0):
                raise RuntimeError("sarkit qmatrices marked voxels outside the model as tissue")
            vox = q["cubes/voxel"][...].astype(np.int64)
            ori = q["cubes/orientation"][...]
            side = q["cubes/side_m"][...]
            centre = q["cubes/centre_m"][...]
            ci, cj, ck = vox % qnx - ox, (vox // qnx) % qny - oy, vox // (qnx * qny) - oz
            ks = ck - k0
            keep = np.nonzero((ks >= 0) & (ks < args.slab_cells))[0]
            M = q["matrices"][...][keep] if len(keep) > 0 else np.zeros((0, N_CH, N_CH), complex)
            attrs = {k: (v.decode() if isinstance(v, bytes) else v) for k, v in q.attrs.items()}
        # slices of the slab that no cube centred outside the slab reaches (USED values there are exact)
        ez = np.asarray(m["edges_z"], np.float64)
        outside = np.nonzero(((ks < 0) | (ks >= args.slab_cells)) & (ori == 7))[0]
        exact = []
        for s_ in range(args.slab_cells):
            z0, z1 = ez[k0 + s_], ez[k0 + s_ + 1]
            lo, hi = centre[outside, 2] - side[outside] / 2, centre[outside, 2] + side[outside] / 2
            if not np.any((lo <= z0 + 1e-9) & (hi >= z1 - 1e-9)):
                exact.append(s_)
        iu = np.triu_indices(N_CH, 1)
        d = np.arange(N_CH)
        packed = np.concatenate([M[:, d, d].real, M[:, iu[0], iu[1]].real, M[:, iu[0], iu[1]].imag], axis=1)
        return {
            "packed": bitround(np.ascontiguousarray(packed.T, np.float32), args.keep_bits),
            "voxel": (ci[keep] + nx * (cj[keep] + ny * ks[keep])).astype(np.int32),
            "orientation": ori[keep].astype(np.uint8),
            "side_m": side[keep].astype(np.float32),
            "centre_m": centre[keep].astype(np.float32),
            "status": status[oz + k0:oz + k0 + args.slab_cells, oy:oy + ny, ox:ox + nx].astype(np.uint8),
            "exact_slices": np.asarray(exact, np.int32),
            "model_cubes": int(len(vox)), "model_valid_cubes": int(attrs.get("valid_cubes", -1)),
            "sarkit_version": str(attrs.get("sarkit_version", "?")), "averaging": str(attrs.get("averaging", "?")),
            "unit": str(attrs.get("unit", "?")), "wall_s": wall,
        }
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def write_compact(args, sub, m, E, H, S, P, p_acc, uf_inc, fig, targets=None):
    """Compact subject file of the central z slab: B1+ (and E with store_e) zeroed outside tissue, mantissas rounded.

    With targets (compute_targets) it is a "sarkit-surrogate3d-subject" file (docs/surrogate3d-dataset.md) holding the
    10 g Q-matrices of the slab's cubes instead of E; without, a SarKit dataset (docs/dataset-format.md) with E.
    """
    store_e = getattr(args, "store_e", False) or targets is None
    lab = m["labels"]
    nz = lab.shape[0]
    k0 = (nz - args.slab_cells) // 2
    ks = slice(k0, k0 + args.slab_cells)
    lab_s = lab[ks]
    tissue = m["rho"][lab_s] > 0
    ex, ey = m["edges_x"], m["edges_y"]
    ez = m["edges_z"][k0:k0 + args.slab_cells + 1]
    Es = E[:, :, ks] * tissue[None, None]
    Hs = H[:, :, ks]
    B1 = (MU0 * (Hs[:, 0] + 1j * Hs[:, 1]) / 2) * tissue[None]

    def rounded_complex(a):
        a = np.ascontiguousarray(a, dtype=np.complex64)
        out = np.empty_like(a)
        out.real = bitround(a.real, args.keep_bits)
        out.imag = bitround(a.imag, args.keep_bits)
        return out

    Es = rounded_complex(Es)
    B1 = rounded_complex(B1)
    meta = m["metadata"]
    ver = openems_version()
    out = os.path.join(args.outdir, args.id + ".h5")
    tmp = out + ".tmp"
    gz = dict(compression="gzip", compression_opts=9, shuffle=True)
    shp = lab_s.shape
    with h5py.File(tmp, "w") as f:
        if targets is None:
            f.attrs["sarkit_format"] = "sarkit-dataset"
            f.attrs["sarkit_format_version"] = np.int32(1)
        else:
            f.attrs["sarkit_format"] = "sarkit-surrogate3d-subject"
            f.attrs["sarkit_format_version"] = np.int32(COMPACT_VERSION)
        f.attrs["frequency_hz"] = np.float64(F0)
        g = f.create_group("grid")
        for name, e in (("edges_x", ex), ("edges_y", ey), ("edges_z", ez)):
            g.create_dataset(name, data=np.asarray(e, np.float64))
        t = f.create_group("tissue")
        t.create_dataset("sigma", data=m["sigma"][lab_s], chunks=shp, **gz)
        t.create_dataset("rho", data=m["rho"][lab_s], chunks=shp, **gz)
        t.create_dataset("eps_r", data=m["eps_r"][lab_s], chunks=shp, **gz)
        dl = t.create_dataset("labels", data=lab_s.astype(np.int32), chunks=shp, **gz)
        dl.attrs["names"] = m["names"]
        t.create_group("masks").create_dataset("body", data=tissue.astype(np.uint8), chunks=shp, **gz)
        fl = f.create_group("fields")
        chn = [f"dipole{k} (azimuth {22.5 + 45 * k:g} deg)" for k in range(N_CH)]
        if store_e:
            dE = fl.create_dataset("E", data=Es, chunks=(1, 1) + shp, **gz)
            dE.attrs["unit"] = "V/m"
            dE.attrs["normalisation"] = "per_volt_incident"
            dE.attrs["channel_names"] = chn
            dE.attrs["location"] = "cell centres (openEMS SAR raw dump); 0 outside tissue (rho = 0)"
        if targets is not None:
            tg = f.create_group("targets").create_group("q10g")
            n = targets["packed"].shape[1]
            ck = (N_CH * N_CH, max(1, min(n, 8192)))
            dq = tg.create_dataset("matrices_packed", data=targets["packed"], chunks=ck, **gz)
            dq.attrs["unit"] = targets["unit"]
            dq.attrs["layout"] = ("[64, n] float32, column c = cube c: rows 0-7 Q_ii, rows 8-35 Re Q_ij, rows 36-63 Im Q_ij "
                                  "for i < j in numpy triu_indices(8, 1) order; Q Hermitian; 10 g SAR of drive b "
                                  "(V peak incident) = b^H Q b")
            dq.attrs["mantissa_bits"] = np.int32(args.keep_bits)
            for name in ("voxel", "orientation", "side_m", "centre_m"):
                tg.create_dataset(name, data=targets[name], **gz)
            tg["voxel"].attrs["definition"] = "reference voxel of the cube, linear index i + nx (j + ny k) in this slab"
            tg["orientation"].attrs["definition"] = "7 centred (step 1, VALID voxel), 1-6 face-centred -x,+x,-y,+y,-z,+z (step 2, UNUSED voxel)"
            tg["centre_m"].attrs["definition"] = "cube centre (x, y, z) in m, coil frame (float32)"
            tg.create_dataset("status", data=targets["status"], chunks=shp, **gz).attrs["definition"] = (
                "IEC/IEEE 62704-1 voxel status on the whole model: 0 background, 1 unused (step 2), 2 used, 3 valid")
            tg.create_dataset("exact_slices", data=targets["exact_slices"])
            tg.attrs["target_mass_kg"] = 0.01
            tg.attrs["averaging"] = targets["averaging"]
            tg.attrs["computed_by"] = f"sarkit qmatrices --mass {TARGET_MASS} (SarKit {targets['sarkit_version']}) on the whole {nz}-cell model"
            tg.attrs["model_cubes"] = np.int64(targets["model_cubes"])
            tg.attrs["model_valid_cubes"] = np.int64(targets["model_valid_cubes"])
            tg.attrs["definition"] = (
                "10 g SAR map of drive b on this slab: VALID voxel -> b^H Q b of its cube; UNUSED -> max over its step-2 "
                "cubes; USED -> max over the VALID cubes that contain it; exact on exact_slices (no cube centred "
                "outside the slab reaches them); psSAR of the slab = max over all cubes here")
        dB = fl.create_dataset("B1plus", data=B1, chunks=(1,) + shp, **gz)
        dB.attrs["unit"] = "T"
        dB.attrs["normalisation"] = "per_volt_incident"
        dB.attrs["channel_names"] = chn
        dB.attrs["definition"] = ("B1+ = mu0 (Hx + i Hy) / 2 from openEMS's H dump (dump type 11, cell-interpolated), "
                                  "peak phasors, time factor exp(+j w t), B0 along +z; 0 outside tissue")
        p = f.create_group("ports")
        dS = p.create_dataset("S", data=S)
        dS.attrs["reference_impedance_ohm"] = Z_REF
        dS.attrs["definition"] = "S[m,k] = b_m / a_k at f0 from run k (port k driven, others 50 ohm)"
        p.create_dataset("element_positions_m", data=element_positions_mm() * 1e-3)
        p.create_dataset("accepted_power_W_per_V2", data=p_acc)
        dP = p.create_dataset("absorbed_power_matrix_W_per_V2", data=P)
        dP.attrs["definition"] = ("P[i,j] = 1/2 sum over all tissue voxels of the whole model (not only this slab) of "
                                  "sigma E_i^* . E_j dV; absorbed power of drive b (V peak incident) = b^H P b")
        r = f.create_group("reference")
        r.create_dataset("model_labels_full", data=lab.astype(np.uint8), chunks=lab.shape, **gz)
        r.create_dataset("model_edges_z_full", data=m["edges_z"])
        pv = f.create_group("provenance")
        pv.attrs["generator"] = (f"tools/surrogate3d/run_subject.py (openEMS {ver}; h5py {h5py.__version__}, numpy {np.__version__}); "
                                 f"body model: {meta['generator']}, family {meta['family']}, seed {meta['seed']}")
        pv.attrs["description"] = (
            f"SarKit 3D surrogate dataset subject {args.id}: generated pelvis/abdomen body model (family {meta['family']}, "
            f"seed {meta['seed']}) in an 8-channel 7 T array of 445 mm PEC dipoles (50 ohm lumped ports in a 5 mm gap) on "
            f"an ellipse {COIL_A:g} x {COIL_B:g} mm, openEMS FDTD, uniform {DX:g} mm mesh, domain x +-{DOMAIN_X:g}, "
            f"y +-{DOMAIN_Y:g}, z +-{DOMAIN_Z:g} mm incl. 8-cell PML, end criterion {args.end_criteria:g}. "
            f"Stored: the central {args.slab_cells} z cells ({args.slab_cells * DX:g} mm) of the {nz}-cell model; "
            f"{'E and B1+' if store_e else 'B1+'} set to 0 outside tissue"
            f"{'' if targets is None else ', the IEC/IEEE 62704-1 10 g Q-matrices of the cubes of this slab (computed by SarKit on the whole model)'}"
            f"; float32 mantissas rounded to {args.keep_bits} bits (relative error <= "
            f"2^-{args.keep_bits + 1} per component). /ports/absorbed_power_matrix_W_per_V2 covers the whole model. "
            f"Drive b (V peak incident) gives E = sum_k b_k E_k, incident power sum |b_k|^2 / 100 W. "
            f"Not for safety decisions: generated anatomy, bare dipoles, 5 mm mesh. See docs/surrogate3d-dataset.md.")
        pv.attrs["created_utc"] = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        pv.attrs["source_files"] = "; ".join(f"{args.id}/ch{k}/SAR_raw.h5, H_f0.h5, ports_f0.json" for k in range(N_CH))
        pv.attrs["openems_version"] = ver
        pv.attrs["body_model_metadata"] = json.dumps(meta)
        pv.attrs["validation"] = json.dumps(fig)
        pv.attrs["port_incident_voltage_raw"] = np.array([[v.real, v.imag] for v in uf_inc])
        pv.attrs["slab_first_cell_z"] = np.int32(k0)
    os.replace(tmp, out)
    return out


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for b in iter(lambda: f.read(1 << 20), b""):
            h.update(b)
    return h.hexdigest()


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--family", choices=["A", "B"], required=True)
    ap.add_argument("--seed", type=int, required=True)
    ap.add_argument("--workdir", default="/work/surrogate3d-work")
    ap.add_argument("--outdir", default="/work/surrogate3d-out")
    ap.add_argument("--sarkit", default=os.path.join(REPO, "sarkit"), help="sarkit launcher (generates model.npz)")
    ap.add_argument("--threads", type=int, default=1, help="openEMS threads per channel run")
    ap.add_argument("--parallel-channels", type=int, default=2,
                    help="channel runs side by side (each with --threads threads); docs/surrogate3d-dataset.md, Throughput")
    ap.add_argument("--end-criteria", type=float, default=1e-5)
    ap.add_argument("--max-timesteps", type=int, default=60000)
    ap.add_argument("--energy-tol", type=float, default=0.02)
    ap.add_argument("--reciprocity-tol", type=float, default=0.02)
    ap.add_argument("--slab-cells", type=int, default=SLAB_CELLS, help="central z cells stored in the compact file")
    ap.add_argument("--keep-bits", type=int, default=KEEP_BITS, help="float32 mantissa bits kept in E and B1+")
    ap.add_argument("--store-e", action="store_true", help="also keep the slab's E in the compact file (~2.2 MB more)")
    ap.add_argument("--verbose", type=int, default=1)
    # out-of-distribution variants (issue 15): same anatomy draws, shifted tissue properties or position; recorded in
    # the body model's metadata (ood_*) and the subject summary; the id gets "-<variant>" (e.g. A00003-sig085)
    ap.add_argument("--variant", default="", help="variant tag appended to the subject id (required with the OOD options)")
    ap.add_argument("--eps-scale", type=float, default=1.0, help="multiply every tissue's eps_r (e.g. 0.85, 1.15)")
    ap.add_argument("--sigma-scale", type=float, default=1.0, help="multiply every tissue's sigma")
    ap.add_argument("--offset-mm", default="", help="shift the body in the coil by x,y,z mm on top of its drawn offset")
    ap.add_argument("--channel", type=int, default=None, help=argparse.SUPPRESS)   # internal: one openEMS run
    ap.add_argument("--assemble-only", action="store_true")
    args = ap.parse_args()
    ood = {k: v for k, v in (("eps_scale", args.eps_scale), ("sigma_scale", args.sigma_scale)) if v != 1.0}
    if args.offset_mm:
        ood["offset_mm"] = [float(v) for v in args.offset_mm.split(",")]
        if len(ood["offset_mm"]) != 3:
            ap.error(f"--offset-mm {args.offset_mm!r}: expected x,y,z")
    if ood and not args.variant:
        ap.error("--eps-scale/--sigma-scale/--offset-mm need --variant TAG (the variant is a different subject id)")
    if args.variant and not args.variant.replace("_", "").isalnum():
        ap.error(f"--variant {args.variant!r}: letters, digits and _ only")
    if args.parallel_channels < 1 or args.threads < 1:
        ap.error("--parallel-channels and --threads must be >= 1")
    args.ood = ood
    args.id = f"{args.family}{args.seed:05d}" + (f"-{args.variant}" if args.variant else "")
    args.workdir = os.path.abspath(args.workdir)
    args.outdir = os.path.abspath(args.outdir)
    sub = os.path.join(args.workdir, args.id)

    if args.channel is not None:
        run_channel(args)
        return 0

    os.makedirs(sub, exist_ok=True)
    os.makedirs(args.outdir, exist_ok=True)
    lock = open(os.path.join(sub, ".lock"), "w")
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)    # one process per subject; released on exit
    except OSError:
        print(f"{args.id}: busy (another process works on it)", flush=True)
        return 3
    model_path = os.path.join(sub, "model.npz")
    if not os.path.exists(model_path):
        extra = []
        if "eps_scale" in ood:
            extra += ["--eps-scale", repr(args.eps_scale)]
        if "sigma_scale" in ood:
            extra += ["--sigma-scale", repr(args.sigma_scale)]
        if "offset_mm" in ood:
            extra += ["--offset-mm", ",".join(repr(v) for v in ood["offset_mm"])]
        subprocess.run([args.sarkit, "surrogate", "bodymodel", "--family", args.family, "--seed", str(args.seed),
                        "-o", model_path] + extra, check=True)
    m = load_model(model_path)
    clr = clearance_mm(m)
    if clr < MIN_CLEARANCE:
        reason = {"id": args.id, "reasons": [f"body within {clr:.1f} mm of a dipole (< {MIN_CLEARANCE} mm)"]}
        atomic_json(os.path.join(sub, "FAILED.json"), reason)
        atomic_json(os.path.join(args.outdir, args.id + ".failed.json"), reason)
        print(f"{args.id}: refused: {reason['reasons'][0]}", flush=True)
        return 2

    if not args.assemble_only:
        # channels still to run; up to --parallel-channels openEMS processes at a time (each with --threads threads).
        # The channels are independent runs, so running them side by side changes nothing in any channel's result.
        todo = [ch for ch in range(N_CH) if not os.path.exists(os.path.join(sub, f"ch{ch}", "ports_f0.json"))]
        running, failed = {}, []

        def start(ch):
            part = os.path.join(sub, f"ch{ch}.partial")
            shutil.rmtree(part, ignore_errors=True)
            os.makedirs(part)
            log = os.path.join(sub, f"ch{ch}.log")
            lf = open(log, "w")
            p = subprocess.Popen([sys.executable, os.path.abspath(__file__), "--family", args.family, "--seed", str(args.seed),
                                  "--workdir", args.workdir, "--threads", str(args.threads), "--end-criteria", str(args.end_criteria),
                                  "--max-timesteps", str(args.max_timesteps), "--verbose", str(args.verbose), "--channel", str(ch)]
                                 + (["--variant", args.variant] if args.variant else []),
                                 stdout=lf, stderr=subprocess.STDOUT)
            running[p.pid] = (ch, p, lf, log, time.time())

        while todo or running:
            while todo and not failed and len(running) < args.parallel_channels:
                start(todo.pop(0))
            if not running:
                break
            ended = [pid for pid, r in running.items() if r[1].poll() is not None]
            if not ended:
                time.sleep(1.0)
                continue
            for pid in ended:                               # every ended run before anything new starts
                ch, p, lf, log, t0 = running.pop(pid)
                lf.close()
                part, done = os.path.join(sub, f"ch{ch}.partial"), os.path.join(sub, f"ch{ch}")
                if p.returncode != 0 or not os.path.exists(os.path.join(part, "ports_f0.json")):
                    print(f"{args.id} ch{ch}: openEMS run failed (exit {p.returncode}); log {log}", flush=True)
                    failed.append(ch)                       # let the running channels finish (they stay resumable)
                    continue
                shutil.rmtree(done, ignore_errors=True)
                os.replace(part, done)
                print(f"{args.id} ch{ch}: {time.time() - t0:.0f} s", flush=True)
        if failed:
            return 1

    E, H, S, P, p_acc, uf_inc, fig, reasons = assemble(args, sub, m)
    fig["clearance_mm"] = clr
    summary = {"id": args.id, "family": args.family, "seed": args.seed, "generator": m["metadata"]["generator"], "validation": fig}
    if ood:
        summary["ood"] = ood | {"variant": args.variant}
    if reasons:
        summary["reasons"] = reasons
        atomic_json(os.path.join(sub, "FAILED.json"), summary)
        atomic_json(os.path.join(args.outdir, args.id + ".failed.json"), summary)
        print(f"{args.id}: refused: {'; '.join(reasons)}", flush=True)
        return 2
    targets = compute_targets(args, sub, m, E, H, S, P, p_acc, uf_inc, fig)
    out = write_compact(args, sub, m, E, H, S, P, p_acc, uf_inc, fig, targets=targets)
    summary.update({"file": os.path.basename(out), "bytes": os.path.getsize(out), "sha256": sha256(out),
                    "slab_cells": args.slab_cells, "keep_bits": args.keep_bits, "format_version": COMPACT_VERSION,
                    "targets": {"cubes": int(targets["packed"].shape[1]), "model_cubes": targets["model_cubes"],
                                "exact_slices": targets["exact_slices"].tolist(), "qmatrices_wall_s": targets["wall_s"]}})
    atomic_json(os.path.join(args.outdir, args.id + ".json"), summary)
    if os.path.exists(os.path.join(sub, "FAILED.json")):
        os.remove(os.path.join(sub, "FAILED.json"))
    print(f"{args.id}: ok, {os.path.getsize(out) / 1e6:.2f} MB, wall {fig['wall_time_s']:.0f} s, "
          f"min eig {fig['energy_min_eig']:.4f}, max|S| {fig['max_abs_S']:.3f}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
