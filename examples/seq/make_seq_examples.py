#!/usr/bin/env python3
"""Writes the Pulseq examples of examples/seq/ (standard library only; run from anywhere):

    python3 examples/seq/make_seq_examples.py

- gre_sinc.seq       Pulseq 1.5.1, one RF pulse shape, no RF_SHIMS: every channel of a pTx array plays the same
                     waveform, weighted by the calibration's "default_shim" (calibration_default_shim.json).
- gre_rfshims.seq    Pulseq 1.5.1 with the RF_SHIMS extension: the same pulse alternating between two static 8-channel
                     shims (CP mode and the second circular mode); needs only per-channel factors (calibration_8ch.json).

Both: a 1 ms sinc pulse (time-bandwidth product 4, Hamming-windowed, 30 deg flip angle) every TR = 10 ms, 20 TRs,
RF raster 1 us, no gradients or ADC (SAR depends on RF only), an md5 [SIGNATURE] as Pulseq writes it. The files are
written from the Pulseq 1.5.1 specification (no Pulseq code used); the output is deterministic.
"""
import cmath
import hashlib
import math
import os

HERE = os.path.dirname(os.path.abspath(__file__))
RF_RASTER = 1e-6          # s
BLOCK_RASTER = 1e-5       # s
PULSE = 1e-3              # s
TR = 10e-3                # s
N_TR = 20
FLIP_DEG = 30.0
TBW = 4.0
CHANNELS = 8


def sinc_shape(n):
    """Hamming-windowed sinc on n raster points (centre of raster: t = (k + 0.5) dt), peak-normalised."""
    out = []
    for k in range(n):
        x = ((k + 0.5) / n - 0.5) * TBW          # in units of the zero-crossing spacing
        s = 1.0 if abs(x) < 1e-12 else math.sin(math.pi * x) / (math.pi * x)
        w = 0.54 + 0.46 * math.cos(2 * math.pi * ((k + 0.5) / n - 0.5))
        out.append(s * w)
    m = max(abs(v) for v in out)
    return [v / m for v in out]


def fmt(v):
    return repr(float(v)) if v != int(v) else str(int(v))


def write(name, shims):
    n = int(round(PULSE / RF_RASTER))
    mag = sinc_shape(n)
    # flip angle (rad) = 2 pi * amplitude [Hz] * sum(|shape|) * dt  (the sinc lobes are real; negative lobes -> phase 0.5)
    area = sum(mag) * RF_RASTER
    amp = FLIP_DEG / 360.0 / area
    absmag = [abs(v) for v in mag]
    phase = [0.0 if v >= 0 else 0.5 for v in mag]            # phase shape in units of 2 pi
    lines = ["# Pulseq sequence file", "# SarKit example (examples/seq/make_seq_examples.py): 1 ms sinc, TR 10 ms", "",
             "[VERSION]", "major 1", "minor 5", "revision 1", "",
             "[DEFINITIONS]", "AdcRasterTime 1e-07", "BlockDurationRaster 1e-05", "GradientRasterTime 1e-05",
             "Name sarkit_example", "RadiofrequencyRasterTime 1e-06", "",
             "# Format of blocks:", "# NUM DUR RF  GX  GY  GZ  ADC  EXT", "[BLOCKS]"]
    bid = 0
    rf_blocks = int(round(PULSE / BLOCK_RASTER))
    rest_blocks = int(round((TR - PULSE) / BLOCK_RASTER))
    for t in range(N_TR):
        ext = 0 if not shims else 1 + (t % len(shims))
        bid += 1
        lines.append(f"{bid} {rf_blocks} 1 0 0 0 0 {ext}")
        bid += 1
        lines.append(f"{bid} {rest_blocks} 0 0 0 0 0 0")
    lines += ["", "# Format of RF events:",
              "# id ampl. mag_id phase_id time_shape_id center delay freqPPM phasePPM freq phase use",
              "# ..   Hz      ..       ..            ..     us    us     ppm  rad/MHz   Hz   rad  ..",
              "[RF]", f"1 {amp:.6f} 1 2 0 {PULSE / 2 * 1e6:g} 0 0 0 0 0 e", ""]
    if shims:
        lines += ["# Format of extension lists:", "# id type ref next_id", "[EXTENSIONS]"]
        for i in range(len(shims)):
            lines.append(f"{i + 1} 1 {i + 1} 0")
        lines += ["", "# Extension specification for RF shims:", "# id num_chan mag1 phase1 mag2 phase2 ... (phase in rad)",
                  "extension RF_SHIMS 1"]
        for i, w in enumerate(shims):
            lines.append(f"{i + 1} {len(w)} " + " ".join(f"{abs(z):.6f} {cmath.phase(z):.6f}" for z in w))
        lines.append("")
    lines += ["# Sequence Shapes", "[SHAPES]", ""]
    for sid, shape in ((1, absmag), (2, phase)):
        lines += [f"shape_id {sid}", f"num_samples {len(shape)}"] + [f"{v:.9g}" for v in shape] + [""]
    body = "\n".join(lines) + "\n"
    digest = hashlib.md5(body.encode("ascii")).hexdigest()   # the newline before [SIGNATURE] belongs to the signature
    text = body + "\n[SIGNATURE]\n# This is the hash of the Pulseq file, calculated right before the [SIGNATURE] section was added\n" \
        "# It can be reproduced/verified with md5sum if the file trimmed to the position right above [SIGNATURE]\n" \
        "# The new line character preceding [SIGNATURE] BELONGS to the signature (and needs to be stripped away for recalculating/verification)\n" \
        f"Type md5\nHash {digest}\n"
    with open(os.path.join(HERE, name), "w", newline="\n") as f:
        f.write(text)
    print(f"wrote {name}: amplitude {amp:.3f} Hz = {amp / 42.577478518:.3f} uT peak, {N_TR} TRs of {TR * 1e3:g} ms")


if __name__ == "__main__":
    write("gre_sinc.seq", None)
    cp = [cmath.exp(-2j * math.pi * c / CHANNELS) for c in range(CHANNELS)]
    cp2 = [cmath.exp(-4j * math.pi * c / CHANNELS) for c in range(CHANNELS)]
    write("gre_rfshims.seq", [cp, cp2])
