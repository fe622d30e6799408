#!/usr/bin/python3
"""Write a non-periodic 8-channel complex64 waveform for `sarkit pulse check WAVE.npy` (issue 18 measurements).

Same waveform as the `wave-stream` bench generator: TR 10 ms, a 2 ms sine-envelope pulse per TR whose per-channel
amplitude (20..30 V) and phase change every TR (a multiplicative hash of the TR index: never periodic, but the energy per
10 s window is nearly flat, like a real scan). Written one second at a time with plain sequential writes after the .npy
header (never the whole file in memory; faster than a memmap under memory pressure), plus the JSON sidecar.

With --int16 the file holds complex int16 codes (dtype <i2, shape samples × channels × 2: I, Q) with "lsb": 2**-10 V in the
sidecar (the 20..30 V amplitudes use up to 30 720 of the 32 767 codes); the values are the complex64 waveform rounded to
the nearest code.

usage: make_waveform_npy.py OUT.npy SECONDS [--raster 1e-6] [--channels 8] [--int16]
"""
import json
import sys

import numpy as np


def main():
    args = sys.argv[1:]
    out, seconds = args[0], float(args[1])
    dt = float(args[args.index("--raster") + 1]) if "--raster" in args else 1e-6
    n = int(args[args.index("--channels") + 1]) if "--channels" in args else 8
    int16 = "--int16" in args
    lsb = 2.0 ** -10
    samples = int(round(seconds / dt))
    tr, pulse = int(round(0.01 / dt)), int(round(0.002 / dt))
    o = np.arange(pulse)
    shape = (np.sin(np.pi * o / pulse) * np.exp(1j * 0.002 * o)).astype(np.complex128)
    f = open(out, "wb")
    if int16:
        np.lib.format.write_array_header_1_0(f, {"descr": "<i2", "fortran_order": False, "shape": (samples, n, 2)})
    else:
        np.lib.format.write_array_header_1_0(f, {"descr": "<c8", "fortran_order": False, "shape": (samples, n)})
    per = max(1, int(round(1.0 / (tr * dt))))  # TRs per chunk (1 s)
    c = np.arange(n, dtype=np.uint64)
    for k0 in range(0, (samples + tr - 1) // tr, per):
        ks = np.arange(k0, min(k0 + per, (samples + tr - 1) // tr), dtype=np.uint64)
        h = ks[:, None] * np.uint64(2654435761) + c[None, :] * np.uint64(40503)
        amp = 20 + 10 * ((h >> np.uint64(7)) % np.uint64(1000)).astype(np.float64) / 1000.0
        ph = 2 * np.pi * ((h >> np.uint64(17)) % np.uint64(360)).astype(np.float64) / 360.0
        block = np.zeros((len(ks), tr, n), dtype=np.complex64)
        block[:, :pulse, :] = (amp * np.exp(1j * ph))[:, None, :] * shape[None, :, None]
        s0 = int(k0) * tr
        s1 = min(samples, s0 + len(ks) * tr)
        flat = block.reshape(-1, n)[: s1 - s0]
        if int16:
            codes = np.empty((s1 - s0, n, 2), dtype="<i2")
            codes[:, :, 0] = np.rint(flat.real / lsb)
            codes[:, :, 1] = np.rint(flat.imag / lsb)
            f.write(codes.tobytes())
        else:
            f.write(flat.tobytes())
    f.close()
    side = out[:-4] + ".json" if out.endswith(".npy") else out + ".json"
    with open(side, "w") as g:
        meta = {"format": "sarkit-waveform-stream", "version": 1, "unit": "V", "raster_s": dt, "channels": n, "samples": samples}
        if int16:
            meta["lsb"] = lsb
        json.dump(meta, g)


if __name__ == "__main__":
    main()
