"""Writes the openEMS models (CSXCAD XML + FDTD settings) that tools/demo/make_demo_dataset.py (demo and reference
geometry, channels 0 and 5) and tools/surrogate3d/run_subject.py (subject A00001 from MODEL_NPZ, channels 0 and 3) would
simulate, without running openEMS: the FDTD Run is replaced by a dump. Two checkouts give identical OUTDIRs when a
change of these scripts leaves the simulated models unchanged (diff -r).

    /usr/bin/python3 tools/openems_model_dump.py REPO OUTDIR MODEL_NPZ   (MODEL_NPZ: `sarkit surrogate bodymodel` output)
"""
import argparse, importlib.util, json, os, shutil, sys
import numpy as np
if not hasattr(np, "float"): np.float = float
if not hasattr(np, "int"): np.int = int
import openEMS as pkg
from openEMS import openEMS as Real

class Stop(Exception):
    pass

class Rec(Real):
    def __init__(self, **kw):
        pass  # __cinit__ took the keywords
        self.log = {"init": kw, "calls": []}
    def SetGaussExcite(self, *a):
        self.log["calls"].append(["SetGaussExcite", list(a)]); return super().SetGaussExcite(*a)
    def SetBoundaryCond(self, *a):
        self.log["calls"].append(["SetBoundaryCond", list(a)]); return super().SetBoundaryCond(*a)
    def Run(self, sim_path, **kw):
        os.makedirs(sim_path, exist_ok=True)
        self.GetCSX().Write2XML(os.path.join(sim_path, "csx.xml"))
        self.log["run"] = kw
        with open(os.path.join(sim_path, "fdtd.json"), "w") as f:
            json.dump(self.log, f, indent=1, sort_keys=True)
        raise Stop()

pkg.openEMS = Rec

def load(path, name):
    spec = importlib.util.spec_from_file_location(name, path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod

repo, out, model = sys.argv[1], sys.argv[2], sys.argv[3]
shutil.rmtree(out, ignore_errors=True)
run_args = dict(max_timesteps=1234, end_criteria=1e-5, verbose=0, threads=2)
for geometry in ("demo", "reference"):
    demo = load(os.path.join(repo, "tools/demo/make_demo_dataset.py"), "demo_" + geometry)
    if geometry == "reference":
        demo.use_reference_geometry()
    for ch in (0, 5):
        try:
            demo.build_and_run(ch, os.path.join(out, geometry, f"ch{ch}"), argparse.Namespace(**run_args))
        except Stop:
            pass
subj = load(os.path.join(repo, "tools/surrogate3d/run_subject.py"), "subj")
work = os.path.join(out, "work")
os.makedirs(os.path.join(work, "A00001"))
shutil.copy(model, os.path.join(work, "A00001", "model.npz"))
for ch in (0, 3):
    try:
        subj.run_channel(argparse.Namespace(workdir=work, id="A00001", channel=ch, **run_args))
    except Stop:
        pass

os.remove(os.path.join(work, "A00001", "model.npz"))
print("ok")
