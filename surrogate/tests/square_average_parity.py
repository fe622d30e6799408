"""The Python half of the 2D 10 g average parity check (tests/SarKit.Tests/Surrogate/SquareAverageParityTests.cs).

Usage (from surrogate/, or with the package installed):  python3 -m tests.square_average_parity CASES_DIR
CASES_DIR holds case_*.npz written by the C# test, each with rho and sar (float64 [ny, nx], rho = 0 in air), h and
mass_kg (float64 [1]). For each case this writes py_<case>.npz with
  hw_np    int32 [ny, nx]   averaging.half_widths (the numpy square half-widths, -1 in air)
  avg_np   float64          averaging.mass_average (numpy)
  avg_t64  float64          torch_averaging.mass_average in float64 (half-widths from hw_np)
  avg_t32  float64          the same in float32, as in training (planes, rho and SAR float32), widened for the file
The comparison is the C# test's (it reads these files); the torch columns are absent when torch is not importable.
No pytest: the C# test runs this module with /usr/bin/python3."""
import glob
import os
import sys

import numpy as np

from sarkit_surrogate import averaging

try:
    import torch
    from sarkit_surrogate import torch_averaging
except ImportError:  # numpy-only machine: the C# test then compares C# and numpy only
    torch = None


def torch_average(sar, rho, hw, dtype):
    widths = sorted(int(n) for n in np.unique(hw[hw >= 0]))
    if not widths:
        return np.zeros(rho.shape)
    planes = torch.from_numpy(torch_averaging.half_width_planes(hw, widths)[None])
    if dtype == torch.float64:
        planes = planes.double()
    s = torch.from_numpy(sar[None, None]).to(dtype)
    r = torch.from_numpy(rho[None, None]).to(dtype)
    with torch.no_grad():
        out = torch_averaging.mass_average(s, r, planes, widths)
    return out[0, 0].double().numpy()


def run(cases_dir):
    files = sorted(glob.glob(os.path.join(cases_dir, "case_*.npz")))
    if not files:
        raise SystemExit(f"no case_*.npz in {cases_dir}")
    for path in files:
        with np.load(path) as z:
            rho, sar, h, mass = z["rho"], z["sar"], float(z["h"][0]), float(z["mass_kg"][0])
        hw = averaging.half_widths(rho, h, mass)
        out = {"hw_np": hw.astype(np.int32), "avg_np": averaging.mass_average(sar, rho, hw)}
        if torch is not None:
            out["avg_t64"] = torch_average(sar, rho, hw, torch.float64)
            out["avg_t32"] = torch_average(sar, rho, hw, torch.float32)
        name = os.path.basename(path)[len("case_"):]
        tmp = os.path.join(cases_dir, "py_" + name + ".tmp.npz")
        np.savez(tmp, **out)
        os.replace(tmp, os.path.join(cases_dir, "py_" + name))
    print(f"{len(files)} cases averaged (numpy{', torch float64 and float32' if torch is not None else '; torch missing'})")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        raise SystemExit(__doc__)
    run(sys.argv[1])
