"""The openEMS set-up shared by SarKit's 8-channel 7 T dipole-array simulations: the built-in demo dataset
(tools/demo/make_demo_dataset.py) and the 3D surrogate subjects (tools/surrogate3d/run_subject.py).

What is common: 298 MHz Gaussian excitation, 8-cell PML on every side, a uniform mesh in mm, 445 mm PEC line dipoles
parallel to z with a 50 ohm lumped port in the one-cell centre gap (one port driven, the others terminated), and the
port voltages/currents at f0 that the assembly normalises by. The geometry (phantom or body model, coil ellipse,
domain, dumps) stays with each script.

Importing this module also restores np.float / np.int, which openEMS 0.0.35 (Debian 12) still uses and numpy 1.24
removed; import it before h5py and openEMS.
"""
import json
import os
import subprocess

import numpy as np

if not hasattr(np, "float"):
    np.float = float
if not hasattr(np, "int"):
    np.int = int

F0 = 298e6            # Hz, 7 T proton Larmor frequency
FC = 150e6            # Hz, Gaussian pulse 20 dB half-bandwidth (openEMS SetGaussExcite fc)
Z_REF = 50.0          # ohm, port reference impedance and termination
N_CH = 8
DIPOLE_HALF_LEN = 222.5   # mm: each dipole is two PEC lines |z| in [GAP_HALF, DIPOLE_HALF_LEN] (445 mm overall)
GAP_HALF = 2.5            # mm: the lumped port fills the 5 mm centre gap |z| <= GAP_HALF (one mesh cell)
PORT_KEYS = ("uf_inc", "uf_ref", "uf_tot", "if_inc", "if_ref", "if_tot")


def ellipse_positions_mm(coil_a, coil_b, dx, n=N_CH):
    """Dipole (port centre) positions (x, y, 0) in mm at azimuth 22.5 deg + k * 360/n deg on the ellipse with
    semi-axes coil_a x coil_b mm, snapped to the dx mesh lines."""
    pos = []
    for k in range(n):
        phi = np.deg2rad(22.5 + 45.0 * k)
        pos.append((dx * round(coil_a * np.cos(phi) / dx), dx * round(coil_b * np.sin(phi) / dx), 0.0))
    return np.array(pos)


def mesh_lines(domain_x, domain_y, domain_z, dx):
    """Uniform mesh lines (mm) from -domain to +domain on each axis (the PML included)."""
    x = np.round(np.arange(-domain_x, domain_x + dx / 2, dx), 6)
    y = np.round(np.arange(-domain_y, domain_y + dx / 2, dx), 6)
    z = np.round(np.arange(-domain_z, domain_z + dx / 2, dx), 6)
    return x, y, z


def openems_version():
    try:
        out = subprocess.run(["dpkg-query", "-W", "-f=${Version}", "openems"], capture_output=True, text=True)
        return out.stdout.strip() or "unknown"
    except OSError:
        return "unknown"


def new_simulation(max_timesteps, end_criteria, lines):
    """openEMS FDTD with the Gaussian excitation at F0, PML_8 on all six sides and the given (x, y, z) mesh lines in mm.
    Returns (FDTD, CSX)."""
    from CSXCAD import ContinuousStructure
    from openEMS import openEMS

    fdtd = openEMS(NrTS=max_timesteps, EndCriteria=end_criteria)
    fdtd.SetGaussExcite(F0, FC)
    fdtd.SetBoundaryCond(["PML_8"] * 6)
    csx = ContinuousStructure()
    fdtd.SetCSX(csx)
    grid = csx.GetGrid()
    grid.SetDeltaUnit(1e-3)
    lx, ly, lz = lines
    grid.SetLines("x", lx)
    grid.SetLines("y", ly)
    grid.SetLines("z", lz)
    return fdtd, csx


def add_dipoles(fdtd, csx, positions_mm, driven):
    """The PEC dipoles at positions_mm (rows x, y, _) with their Z_REF lumped ports; port `driven` is excited, the
    others only terminate. Returns the ports in channel order."""
    pec = csx.AddMetal("dipoles")
    ports = []
    for k, (x, y, _) in enumerate(positions_mm):
        pec.AddBox([x, y, GAP_HALF], [x, y, DIPOLE_HALF_LEN], priority=100)
        pec.AddBox([x, y, -DIPOLE_HALF_LEN], [x, y, -GAP_HALF], priority=100)
        ports.append(fdtd.AddLumpedPort(k, Z_REF, [x, y, -GAP_HALF], [x, y, GAP_HALF], "z",
                                        excite=1.0 if k == driven else 0.0, priority=200))
    return ports


def port_results(ports, sim_path):
    """Port voltages/currents at F0 of a finished run: {key: [[re, im] per port]} for the PORT_KEYS."""
    res = {key: [] for key in PORT_KEYS}
    for p in ports:
        p.CalcPort(sim_path, [F0])
        for key in PORT_KEYS:
            v = complex(np.asarray(getattr(p, key)).ravel()[0])
            res[key].append([v.real, v.imag])
    return res


def load_ports(path):
    """<path>/ports_f0.json with the PORT_KEYS as complex numpy arrays."""
    with open(os.path.join(path, "ports_f0.json")) as f:
        res = json.load(f)
    for key in PORT_KEYS:
        res[key] = np.array([complex(a, b) for a, b in res[key]])
    return res
