#!/usr/bin/python3
"""Anchor process for bench/anchors.py: the IEC/IEEE 62704-1 C code (U. Zanovello, built by the bench in a temp
folder) driven from Python as its README says (spatialAverageSAR.py + libAvgSARStep{1,2}.so), end to end on an
openEMS-layout dataset (/E [nch,3,nz,ny,nx], /sigma, /rho, /cell_volume, index order [z, y, x]):
read with h5py, E = sum_k b_k E_k, local SAR = sigma |E|^2 / (2 rho), voxel mass = rho * V (NaN in air), 10 g average,
peak. Usage: c62704_sar.py SRC_DIR BUILD_DIR FIELDS.h5 DRIVE.json [--repeat N] [--map OUT.npy] [--volume file|widths]
--volume widths: voxel volume = the product of the file's cell widths (float32 -> double), as SarKit builds its grid,
instead of the file's float32 /cell_volume (default; a file without /cell_volume, such as the 2.5 mm reference refined by
tools/bench/make_fine_reference.py, always takes the widths). The two differ by float32 rounding (5 mm: 0.005f^3 is 6.7e-8 below
1.25e-7, float32(1.25e-7) 2.5e-9 below), which moves the 10 g cube edge and psSAR by ~5e-9 (docs/performance.md).
Prints one JSON line: read_s, local_s and local_cpu_s (wall and process CPU time from E, sigma, rho in memory to the
C code's inputs: drive sum, local SAR, voxel mass, [x][y][z] copies), core_s and core_cpu_s (wall and process CPU time
of every call of spatialAverageSAR), ps_sar."""
import json, sys, time
import numpy as np
import h5py

src, build, fields, drive_json = sys.argv[1:5]
repeat = int(sys.argv[sys.argv.index("--repeat") + 1]) if "--repeat" in sys.argv else 1
map_out = sys.argv[sys.argv.index("--map") + 1] if "--map" in sys.argv else None
volume = sys.argv[sys.argv.index("--volume") + 1] if "--volume" in sys.argv else "file"
sys.path.insert(0, src)
from spatialAverageSAR import spatialAverageSAR  # noqa: E402

t0 = time.perf_counter()
with h5py.File(fields, "r") as f:
    E = f["/E"][...]
    sigma = f["/sigma"][...].astype(np.float64)
    rho = f["/rho"][...].astype(np.float64)
    if volume == "widths" or "/cell_volume" not in f:  # a file without /cell_volume (e.g. the 2.5 mm refined reference):
        # the voxel volume from the cell widths, as SarKit builds its grid (float32 widths -> double, product per voxel)
        w = [f[f"/cell_width_{k}"][...].astype(np.float64) for k in "zyx"]
        vol = w[0][:, None, None] * w[1][None, :, None] * w[2][None, None, :]
    else:
        vol = f["/cell_volume"][...].astype(np.float64)
t1 = time.perf_counter(); c1 = time.process_time()
b = np.array([complex(re, im) for re, im in json.load(open(drive_json))["drive_V_per_sqrtW"]])
e = np.tensordot(b.astype(np.complex128), E, axes=(0, 0))  # [3, nz, ny, nx]
tissue = rho > 0
e2 = (np.abs(e) ** 2).sum(axis=0)
local = np.zeros_like(sigma)
local[tissue] = sigma[tissue] * e2[tissue] / (2 * rho[tissue])
mass = np.where(tissue, rho * np.broadcast_to(vol, rho.shape), np.nan)
# the C code takes [x][y][z] C-order arrays
mass_xyz = np.ascontiguousarray(mass.transpose(2, 1, 0))
local_xyz = np.ascontiguousarray(local.transpose(2, 1, 0))
t2 = time.perf_counter(); c2 = time.process_time()
core, core_cpu = [], []
for _ in range(repeat):
    t = time.perf_counter(); c = time.process_time()
    avg, status = spatialAverageSAR(mass_xyz, local_xyz, 0.010, f"{build}/libAvgSARStep1.so", f"{build}/libAvgSARStep2.so", [6, 6, 6])
    core.append(time.perf_counter() - t); core_cpu.append(time.process_time() - c)
avg = np.asarray(avg)
avg_zyx = avg.transpose(2, 1, 0)  # spatialAverageSAR returns the unpadded [x][y][z] grid
if map_out:
    np.save(map_out, np.ascontiguousarray(avg_zyx))
print(json.dumps({"read_s": t1 - t0, "local_s": t2 - t1, "local_cpu_s": c2 - c1, "core_s": core, "core_cpu_s": core_cpu, "ps_sar": float(np.nanmax(avg_zyx))}))
