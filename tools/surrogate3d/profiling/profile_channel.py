#!/usr/bin/python3
"""Profiling harness (docs/surrogate3d-dataset.md, "Throughput"): one channel of run_subject.py with per-stage wall and
CPU times (getrusage of this process and its threads) written to OUT/prof.json with the port data.

    sarkit surrogate bodymodel --family A --seed 90 -o A00090.npz
    /usr/bin/time /usr/bin/python3 tools/surrogate3d/profiling/profile_channel.py --model A00090.npz --out run1 --threads 2

Same set-up as run_subject.run_channel (body boxes, dipoles, SAR-raw and H dumps of the model box); knobs: --threads,
--end-criteria, --dumps (sar,h[,e]), --setup-only, --body none. Compare two runs with compare_runs.py, a run with a
committed subject with compare_committed.py. Not part of the dataset pipeline."""
import argparse, json, os, resource, sys, time
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import run_subject as rs
import openems_array as oa

def cpu():
    r = resource.getrusage(resource.RUSAGE_SELF)
    c = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime + c.ru_utime + c.ru_stime

ap = argparse.ArgumentParser()
ap.add_argument("--model", required=True)
ap.add_argument("--out", required=True)
ap.add_argument("--channel", type=int, default=0)
ap.add_argument("--threads", type=int, default=2)
ap.add_argument("--end-criteria", type=float, default=1e-5)
ap.add_argument("--dumps", default="sar,h")
ap.add_argument("--verbose", type=int, default=1)
ap.add_argument("--setup-only", action="store_true")
ap.add_argument("--body", default="boxes", help="boxes (as run_subject) | none (set-up cost without the body)")
a = ap.parse_args()
st = {}
def mark(name, t0, c0):
    st[name] = {"wall_s": time.time() - t0, "cpu_s": cpu() - c0}
    print(name, st[name], flush=True)
t0, c0 = time.time(), cpu()
m = rs.load_model(a.model); mark("load_model", t0, c0)
t0, c0 = time.time(), cpu()
boxes = {}
for L, name in enumerate(m["names"]):
    if m["rho"][L] <= 0: continue
    mask = m["labels"] == L
    if mask.any(): boxes[L] = rs.merged_boxes(mask)
mark("merged_boxes", t0, c0)
t0, c0 = time.time(), cpu()
FDTD, CSX = oa.new_simulation(60000, a.end_criteria, rs.mesh_lines())
ex, ey, ez = m["edges_x_mm"], m["edges_y_mm"], m["edges_z_mm"]
nb = 0
if a.body == 'boxes':
    sets = [(L, 10, b) for L, b in boxes.items()]
else:
    sets = []
for L, prio, bl in sets:
    mat = CSX.AddMaterial(m["names"][L], epsilon=float(m["eps_r"][L]), kappa=float(m["sigma"][L]), density=float(m["rho"][L]))
    for (i0, i1, j0, j1, k0, k1) in bl:
        mat.AddBox([ex[i0], ey[j0], ez[k0]], [ex[i1], ey[j1], ez[k1]], priority=prio); nb += 1
ports = oa.add_dipoles(FDTD, CSX, rs.element_positions_mm(), a.channel)
start, stop = [ex[0], ey[0], ez[0]], [ex[-1], ey[-1], ez[-1]]
if "sar" in a.dumps:
    CSX.AddDump("SAR_raw", dump_type=29, file_type=1, frequency=[rs.F0]).AddBox(start, stop)
if "h" in a.dumps:
    CSX.AddDump("H_f0", dump_type=11, dump_mode=2, file_type=1, frequency=[rs.F0]).AddBox(start, stop)
if "e" in a.dumps:
    CSX.AddDump("E_f0", dump_type=10, dump_mode=2, file_type=1, frequency=[rs.F0]).AddBox(start, stop)
mark("csx_build", t0, c0)
t0, c0 = time.time(), cpu()
FDTD.Run(a.out, cleanup=True, verbose=a.verbose, numThreads=a.threads, setup_only=a.setup_only)
mark("openems_run", t0, c0)
if a.setup_only:
    print(json.dumps({'stages': st, 'boxes': nb, 'loadavg': os.getloadavg()})); sys.exit(0)
t0, c0 = time.time(), cpu()
res = oa.port_results(ports, a.out)
mark("port_results", t0, c0)
t0, c0 = time.time(), cpu()
edges = (ex, ey, ez)
if "sar" in a.dumps: rs.read_fd_dump(os.path.join(a.out, "SAR_raw.h5"), edges)
if "h" in a.dumps: rs.read_fd_dump(os.path.join(a.out, "H_f0.h5"), edges)
mark("read_dumps", t0, c0)
res.update({"stages": st, "boxes": nb, "threads": a.threads, "end_criteria": a.end_criteria, "dumps": a.dumps,
            "loadavg": os.getloadavg()})
with open(os.path.join(a.out, "prof.json"), "w") as f: json.dump(res, f, indent=1)
