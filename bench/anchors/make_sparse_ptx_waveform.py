#!/usr/bin/python3
"""Write a seeded, realistic sparse 8-channel pTx waveform (complex int16 codes) as a raw .npy stream file (+ .json sidecar)
and/or as a chunked deflate-compressed HDF5 stream file, for `sarkit pulse check` (issue 18, docs/supervision.md).

The waveform: a 6-minute (SECONDS) dynamic-pTx session made of consecutive "scans" of 20..90 s; each scan has its own TR
(10..100 ms) and RF pulse length (1..3 ms); every TR plays one pulse: a Hamming-windowed 3-lobe sinc whose per-channel
complex weights change every TR (RF shimming / spokes-like dynamic pTx) and whose amplitude follows a slow per-scan
modulation. Between pulses the channels are silent (codes 0): duty cycle of a few percent, as in real scans. Everything
comes from numpy's PCG64 generator seeded by --seed (default 18), so the same arguments write the same bytes.

Both outputs hold exactly the same codes (dtype <i2, samples x channels x 2: I, Q; scale "lsb": 2**-10 V in the sidecar
or attribute). The HDF5 file: dataset /waveform int16 [samples, channels, 2], chunks (--chunk samples, channels, 2),
deflate level --level (h5py "gzip"), optional --shuffle; root attribute `sarkit_waveform_stream` = the sidecar JSON text.
Written one second at a time (never the whole waveform in memory).

usage: make_sparse_ptx_waveform.py OUT_BASE SECONDS [--seed 18] [--npy] [--h5] [--chunk 32768] [--level 4] [--shuffle]
       (writes OUT_BASE.npy + OUT_BASE.json and/or OUT_BASE.h5; neither flag = both; prints the duty cycle and sizes)
       make_sparse_ptx_waveform.py --from-npy IN.npy OUT.h5 [--chunk 32768] [--level 4] [--shuffle]
       (an existing int16 stream .npy + .json sidecar -> compressed HDF5 stream file with the same codes)
"""
import json
import os
import sys

import numpy as np

RASTER = 1e-6
CHANNELS = 8
LSB = 2.0 ** -10


def arg(args, name, default, conv):
    return conv(args[args.index(name) + 1]) if name in args else default


def schedule(seconds, rng):
    """(start sample, pulse samples, TR samples, scan index) of every pulse, and per-scan amplitudes."""
    total = int(round(seconds / RASTER))
    pulses, t, scan = [], 0, 0
    while t < total:
        length = int(round(rng.uniform(20.0, 90.0) / RASTER))
        tr = int(round(rng.uniform(0.010, 0.100) / RASTER))
        pl = int(round(rng.uniform(0.001, 0.003) / RASTER))
        end = min(total, t + length)
        k = t
        while k + pl <= end:
            pulses.append((k, pl, tr, scan))
            k += tr
        t, scan = end, scan + 1
    return total, pulses, scan


def from_npy(args):
    import h5py
    src, out = args[args.index("--from-npy") + 1], args[args.index("--from-npy") + 2]
    chunk = arg(args, "--chunk", 32768, int)
    level = arg(args, "--level", 4, int)
    a = np.load(src, mmap_mode="r")
    meta = json.load(open(src[:-4] + ".json"))
    with h5py.File(out, "w") as h5:
        ds = h5.create_dataset("waveform", shape=a.shape, dtype="<i2", chunks=(min(chunk, a.shape[0]),) + a.shape[1:],
                               compression="gzip", compression_opts=level, shuffle="--shuffle" in args)
        h5.attrs["sarkit_waveform_stream"] = json.dumps(meta)
        step = 1 << 20
        for s0 in range(0, a.shape[0], step):
            ds[s0:s0 + step] = a[s0:s0 + step]
    print(json.dumps({"bytes": {".npy": os.path.getsize(src), ".h5": os.path.getsize(out)}, "chunk": chunk, "level": level}))


def main():
    args = sys.argv[1:]
    if "--from-npy" in args:
        return from_npy(args)
    if len(args) < 2:
        sys.exit(__doc__)
    base, seconds = args[0], float(args[1])
    seed = arg(args, "--seed", 18, int)
    chunk = arg(args, "--chunk", 32768, int)
    level = arg(args, "--level", 4, int)
    shuffle = "--shuffle" in args
    want_npy, want_h5 = "--npy" in args, "--h5" in args
    if not want_npy and not want_h5:
        want_npy = want_h5 = True
    rng = np.random.default_rng(seed)
    total, pulses, scans = schedule(seconds, rng)
    scan_amp = rng.uniform(8000.0, 30000.0, size=scans)          # peak code per scan (of 32767)
    # per pulse: per-channel complex weights (new every TR: dynamic pTx) and a spokes-like phase ramp, drawn up front so
    # that the bytes do not depend on how the file is cut into write blocks
    weights = rng.uniform(0.3, 1.0, (len(pulses), CHANNELS)) * np.exp(2j * np.pi * rng.uniform(0, 1, (len(pulses), CHANNELS)))
    ramps = rng.uniform(-2, 2, len(pulses))
    n = CHANNELS
    meta = {"format": "sarkit-waveform-stream", "version": 1, "unit": "V", "raster_s": RASTER, "channels": n,
            "samples": total, "lsb": LSB}
    npy = h5 = ds = None
    if want_npy:
        npy = open(base + ".npy", "wb")
        np.lib.format.write_array_header_1_0(npy, {"descr": "<i2", "fortran_order": False, "shape": (total, n, 2)})
    if want_h5:
        import h5py
        h5 = h5py.File(base + ".h5", "w")
        ds = h5.create_dataset("waveform", shape=(total, n, 2), dtype="<i2", chunks=(min(chunk, total), n, 2),
                               compression="gzip", compression_opts=level, shuffle=shuffle)
        h5.attrs["sarkit_waveform_stream"] = json.dumps(meta)
    per = int(round(1.0 / RASTER))
    p = 0
    live = 0
    for s0 in range(0, total, per):
        s1 = min(total, s0 + per)
        block = np.zeros((s1 - s0, n, 2), dtype="<i2")
        while p < len(pulses) and pulses[p][0] < s1:
            k, pl, tr, sc = pulses[p]
            o = np.arange(pl)
            x = (o - pl / 2) / (pl / 6)                                  # 3 lobes each side
            env = np.sinc(x) * (0.54 - 0.46 * np.cos(2 * np.pi * o / max(pl - 1, 1)))
            w = weights[p]
            ramp = np.exp(2j * np.pi * ramps[p] * o / pl)
            amp = scan_amp[sc] * (0.7 + 0.3 * np.sin(2 * np.pi * k / (7.3 / RASTER)))
            v = amp * env[:, None] * ramp[:, None] * w[None, :]
            a, b = max(k, s0), min(k + pl, s1)
            if a < b:
                seg = v[a - k:b - k]
                block[a - s0:b - s0, :, 0] = np.rint(seg.real)
                block[a - s0:b - s0, :, 1] = np.rint(seg.imag)
                live += b - a
            if k + pl <= s1:
                p += 1
            else:
                break                                                        # rest of this pulse in the next block
        if npy is not None:
            npy.write(block.tobytes())
        if ds is not None:
            ds[s0:s1] = block
    if npy is not None:
        npy.close()
        with open(base + ".json", "w") as g:
            json.dump(meta, g)
    if h5 is not None:
        h5.close()
    sizes = {e: os.path.getsize(base + e) for e in (".npy", ".h5") if os.path.exists(base + e)}
    print(json.dumps({"samples": total, "pulses": len(pulses), "scans": scans, "duty_cycle": live / total,
                      "bytes": sizes, "seed": seed, "chunk": chunk, "level": level, "shuffle": shuffle}))


if __name__ == "__main__":
    main()
