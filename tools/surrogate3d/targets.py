#!/usr/bin/python3
"""10 g SAR targets of the 3D surrogate dataset (compact file version 2, docs/surrogate3d-dataset.md).

A subject file holds, for its central z slab, the IEC/IEEE 62704-1 10 g Q-matrices that SarKit computed on the whole
model (`sarkit qmatrices --mass 10g`) for every cube whose reference voxel lies in the slab, and the voxel statuses.
This module turns them into the standard's 10 g SAR map of any drive b (V peak incident per port):

    VALID voxel  -> b^H Q b of its step-1 cube
    UNUSED voxel -> maximum over its kept step-2 cubes
    USED voxel   -> maximum over the VALID cubes that contain it entirely

which is the map `sarkit sar --mass 10g -o maps.h5` writes (`averaged_sar`), exactly on the file's exact_slices.

    /usr/bin/python3 tools/surrogate3d/targets.py SUBJECT.h5 [MORE.h5 ...] --validate
    /usr/bin/python3 tools/surrogate3d/targets.py SUBJECT.h5 --check FULL_MODEL_DATASET.h5 [--drives 4]

--validate checks the file alone (one-to-one VALID voxels and step-1 cubes, step-2 cubes only on UNUSED voxels,
Hermitian PSD matrices up to the rounding, finite non-negative maps on the exact slices; with several files one
process checks them all and prints a JSON list of the reports, exit 3 when any has problems); --check checks the map
against SarKit run on the whole model (a dataset written with run_subject.py --assemble-only
--slab-cells 71 --keep-bits 23 --store-e); exit 0 when every exact slice agrees within the mantissa rounding bound.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile

import h5py
import numpy as np

N_CH = 8
CONTAIN_TOL = 1e-3   # fraction of a cell: a voxel counts as inside a cube when it is inside within this tolerance


class SlabTargets:
    """The 10 g cube set of one subject's slab, read from a compact file (version 2)."""

    def __init__(self, path):
        with h5py.File(path, "r") as f:
            fmt = f.attrs.get("sarkit_format")
            fmt = fmt.decode() if isinstance(fmt, bytes) else fmt
            if fmt != "sarkit-surrogate3d-subject" or int(f.attrs.get("sarkit_format_version", 0)) < 2:
                raise ValueError(f"{path}: not a version-2 surrogate3d subject file (sarkit_format {fmt!r})")
            g = f["targets/q10g"]
            self.packed = g["matrices_packed"][...].astype(np.float64)          # [64, n]
            self.voxel = g["voxel"][...].astype(np.int64)
            self.orientation = g["orientation"][...]
            self.side = g["side_m"][...].astype(np.float64)
            self.centre = g["centre_m"][...].astype(np.float64)
            self.status = g["status"][...]
            self.exact_slices = g["exact_slices"][...]
            self.mantissa_bits = int(g["matrices_packed"].attrs["mantissa_bits"])
            self.edges = [f["grid/" + n][...] for n in ("edges_x", "edges_y", "edges_z")]
            self.b1plus = None
        if not np.all(np.isfinite(self.packed)):
            raise ValueError(f"{path}: non-finite Q-matrix entries")
        self.shape = self.status.shape                                         # (nz, ny, nx)
        self._used_pairs = None

    def cube_sar(self, drives):
        """b^H Q b of every cube for drives [m, 8] (complex, V peak incident): [m, n] in W/kg."""
        b = np.atleast_2d(np.asarray(drives, complex))
        iu = np.triu_indices(N_CH, 1)
        d = self.packed[:N_CH]
        re = self.packed[N_CH:N_CH + len(iu[0])]
        im = self.packed[N_CH + len(iu[0]):]
        diag = (np.abs(b) ** 2) @ d
        cross = np.conj(b[:, iu[0]]) * b[:, iu[1]]                            # conj(b_i) b_j, i < j
        off = cross.real @ re - cross.imag @ im                                # Re(conj(b_i) Q_ij b_j)
        return diag + 2 * off

    def used_pairs(self):
        """(voxel, cube) pairs: USED voxel of the slab entirely inside VALID cube (computed once)."""
        if self._used_pairs is None:
            ex, ey, ez = self.edges
            nz, ny, nx = self.shape
            used = self.status.ravel() == 2
            vs, cs = [], []
            for c in np.nonzero(self.orientation == 7)[0]:
                h = self.side[c] / 2
                rng = []
                for e, x in zip((ex, ey, ez), self.centre[c]):
                    dx = e[1] - e[0]
                    lo = np.searchsorted(e, x - h - CONTAIN_TOL * dx)                 # first edge >= cube low face
                    hi = np.searchsorted(e, x + h + CONTAIN_TOL * dx, side="right") - 1  # last edge <= high face
                    rng.append((lo, hi))                                                 # voxels lo .. hi-1
                (i0, i1), (j0, j1), (k0, k1) = rng
                if i1 <= i0 or j1 <= j0 or k1 <= k0:
                    continue
                kk, jj, ii = np.meshgrid(np.arange(k0, k1), np.arange(j0, j1), np.arange(i0, i1), indexing="ij")
                lin = (ii + nx * (jj + ny * kk)).ravel()
                lin = lin[used[lin]]
                vs.append(lin)
                cs.append(np.full(len(lin), c))
            self._used_pairs = (np.concatenate(vs) if vs else np.zeros(0, np.int64),
                                np.concatenate(cs) if cs else np.zeros(0, np.int64))
        return self._used_pairs

    def sar_maps(self, drives):
        """10 g SAR maps [m, nz, ny, nx] (W/kg) of drives [m, 8]; 0 on background voxels, NaN where a slice outside
        exact_slices has a USED voxel whose cubes are all centred outside the slab (unknown there)."""
        vals = self.cube_sar(drives)                                           # [m, n]
        m = vals.shape[0]
        out = np.full((m, self.status.size), -np.inf)
        # VALID (one cube each) and UNUSED (maximum over their step-2 cubes)
        for k in range(m):
            np.maximum.at(out[k], self.voxel, vals[k])
        v, c = self.used_pairs()
        for k in range(m):
            np.maximum.at(out[k], v, vals[k, c])
        out[:, self.status.ravel() == 0] = 0.0
        out[~np.isfinite(out)] = np.nan     # USED voxel whose containing cubes are all centred outside the slab
        out = out.reshape((m,) + self.shape)
        missing = np.isnan(out[0][self.exact_slices])
        if np.any(missing):
            raise ValueError(f"{int(missing.sum())} tissue voxels of exact slices without a cube (file inconsistent)")
        return out


def check(subject, full, drives, sarkit, seed=1):
    """Compare sar_maps with `sarkit sar --mass 10g -o` on the whole model for random drives; returns a report dict."""
    t = SlabTargets(subject)
    with h5py.File(subject, "r") as f:
        k0 = int(f["provenance"].attrs["slab_first_cell_z"])
    rng = np.random.default_rng(seed)
    b = rng.normal(size=(drives, N_CH)) * np.exp(2j * np.pi * rng.random((drives, N_CH)))
    maps = t.sar_maps(b)
    bound = 2.0 ** -(t.mantissa_bits + 1)
    report = {"drives": drives, "mantissa_bits": t.mantissa_bits, "exact_slices": t.exact_slices.tolist(), "per_drive": []}
    ok = True
    with tempfile.TemporaryDirectory() as tmp:
        for k in range(drives):
            spec = ",".join(f"{abs(x):.17g}@{np.degrees(np.angle(x)):.17g}" for x in b[k])
            out = os.path.join(tmp, f"m{k}.h5")
            r = subprocess.run([sarkit, "sar", "--fields", full, "--drive", spec, "--mass", "10g", "-o", out],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
            if r.returncode != 0:
                raise RuntimeError(f"sarkit sar failed: {r.stdout[-1000:]}")
            with h5py.File(out, "r") as g:
                ref = g["averaged_sar"][k0:k0 + t.shape[0]]
                st = g["status"][k0:k0 + t.shape[0]]
            if not np.array_equal(st, t.status):
                raise RuntimeError("voxel statuses differ from SarKit's")
            # rounding bound per cube: |b^H dQ b| <= 2^-(bits+1) sum_ij |b_i||b_j||Q_ij| <= bound (sum_i |b_i| sqrt(Q_ii))^2
            s = t.exact_slices
            a, r_ = maps[k][s], ref[s]
            tissue = t.status[s] > 0
            denom = np.maximum(np.abs(r_), 1e-30)
            rel = np.abs(a - r_)[tissue] / denom[tissue]
            peak_rel = abs(a[tissue].max() - r_[tissue].max()) / r_[tissue].max()
            env = (np.sqrt(np.abs(t.packed[:N_CH]).T) @ np.abs(b[k])) ** 2   # per cube
            tol_abs = bound * float(env.max()) * 1.01 + 1e-12 * float(r_.max())
            worst = float(np.max(np.abs(a - r_)[tissue]))
            okk = worst <= tol_abs
            ok &= okk
            report["per_drive"].append({"max_abs_diff_W_per_kg": worst, "tolerance_W_per_kg": tol_abs,
                                        "median_rel_diff": float(np.median(rel)), "peak_rel_diff": float(peak_rel),
                                        "slab_peak_W_per_kg": float(r_[tissue].max()), "ok": bool(okk)})
    report["ok"] = bool(ok)
    return report


def validate(subject, drives=16, seed=1):
    """Self-consistency of a version-2 subject file without the raw runs; returns a report dict with "problems"."""
    t = SlabTargets(subject)
    problems = []
    st = t.status.ravel()
    n = t.packed.shape[1]
    if t.packed.shape[0] != N_CH * N_CH or not (len(t.voxel) == len(t.orientation) == len(t.side) == n):
        problems.append("inconsistent target array shapes")
    if np.any((t.voxel < 0) | (t.voxel >= st.size)):
        problems.append("cube reference voxel outside the slab")
    else:
        if np.any(st[t.voxel] == 0):
            problems.append("cube on a background voxel")
        valid_cubes = t.voxel[t.orientation == 7]
        if len(np.unique(valid_cubes)) != len(valid_cubes) or not np.array_equal(np.sort(valid_cubes), np.nonzero(st == 3)[0]):
            problems.append("VALID voxels and step-1 cubes do not correspond one to one")
        step2 = t.voxel[(t.orientation >= 1) & (t.orientation <= 6)]
        if np.any(st[step2] != 1):
            problems.append("step-2 cube on a voxel that is not UNUSED")
        if np.any(~np.isin(t.orientation, np.arange(1, 8))):
            problems.append("orientation outside 1..7")
    if np.any(~np.isfinite(t.side)) or np.any(t.side <= 0):
        problems.append("non-positive cube side")
    # Hermitian PSD up to the mantissa rounding: min eig >= -(rounding bound) * sum |Q_ij|
    iu = np.triu_indices(N_CH, 1)
    Q = np.zeros((n, N_CH, N_CH), complex)
    d = np.arange(N_CH)
    Q[:, d, d] = t.packed[:N_CH].T
    Q[:, iu[0], iu[1]] = t.packed[N_CH:N_CH + len(iu[0])].T + 1j * t.packed[N_CH + len(iu[0]):].T
    Q[:, iu[1], iu[0]] = np.conj(Q[:, iu[0], iu[1]])
    ev = np.linalg.eigvalsh(Q)
    slack = 2.0 ** -(t.mantissa_bits + 1) * np.abs(Q).sum(axis=(1, 2))
    worst_psd = float(np.min(ev[:, 0] / np.maximum(slack, 1e-300)))
    if np.any(ev[:, 0] < -slack):
        problems.append(f"{int(np.sum(ev[:, 0] < -slack))} cubes not PSD beyond the rounding bound")
    if len(t.exact_slices) == 0:
        problems.append("no exact slice")
    rng = np.random.default_rng(seed)
    b = rng.normal(size=(drives, N_CH)) * np.exp(2j * np.pi * rng.random((drives, N_CH)))
    peaks = []
    try:
        maps = t.sar_maps(b)
        ex = maps[:, t.exact_slices]
        if np.any(~np.isfinite(ex)) or np.any(ex < -np.max(ex) * 1e-6):
            problems.append("non-finite or negative 10 g SAR on exact slices")
        peaks = [float(np.nanmax(mk)) for mk in maps]
    except ValueError as e:
        problems.append(str(e))
    return {"file": subject, "cubes": int(n), "voxel_status_counts": np.bincount(st, minlength=4).tolist(),
            "exact_slices": t.exact_slices.tolist(), "min_eig_over_rounding_slack": worst_psd,
            "random_drive_slab_peaks_W_per_kg": peaks, "problems": problems}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("subject", nargs="+", help="subject file(s); --check takes one")
    mode = ap.add_mutually_exclusive_group(required=True)
    mode.add_argument("--check", metavar="FULL_MODEL_DATASET", help="compare with sarkit sar on the whole model")
    mode.add_argument("--validate", action="store_true", help="self-consistency of the file alone (no raw runs needed)")
    ap.add_argument("--drives", type=int, default=4)
    ap.add_argument("--sarkit", default=os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), "sarkit"))
    a = ap.parse_args()
    if a.validate:
        reps = [validate(s, max(a.drives, 1)) for s in a.subject]
        print(json.dumps(reps[0] if len(reps) == 1 else reps, indent=1))
        return 0 if not any(r["problems"] for r in reps) else 3
    if len(a.subject) != 1:
        ap.error("--check takes one subject file")
    rep = check(a.subject[0], a.check, a.drives, a.sarkit)
    print(json.dumps(rep, indent=1))
    return 0 if rep["ok"] else 3


if __name__ == "__main__":
    sys.exit(main())
