"""Reading a SarKit surrogate dataset (manifest.json + one .npz shard per subject; docs/surrogate.md). numpy only.

Sample layouts produced here (float32, C order, N x C x H x W):
  direct model  (Meliado-style): inputs  [Re B1+, Im B1+] / <|B1+|>  (x mask)  [+ mask, water, fat]
                                 target  SAR / <|B1+|>^2  ("sar" or "sar10g", already normalised in the shards)
  per-channel model: inputs  8 complex b_n / s  -> 16 channels (+ mask, water, fat)
                     target  8 complex e_n / s  -> 16 channels, with s = rms over channels and body of |b_n|
                     so that |sum_n w_n e_n|^2 / s^2 is SAR normalised the same way for every shim.
"""
import json
import os

import numpy as np

ANATOMY = ("mask", "water", "fat")


class SurrogateDataset:
    def __init__(self, directory):
        self.directory = directory
        with open(os.path.join(directory, "manifest.json"), encoding="utf-8") as f:
            self.manifest = json.load(f)
        if self.manifest.get("format") != "sarkit-surrogate-dataset":
            raise ValueError(f"{directory}/manifest.json: format {self.manifest.get('format')!r}, expected 'sarkit-surrogate-dataset'")
        self._cache = {}

    @property
    def channels(self):
        return int(self.manifest["channels"])

    def subjects(self, split):
        """Subject entries of a split ('train', 'val', 'test'); the split is by subject, never by shim."""
        return [s for s in self.manifest["subjects"] if s["split"] == split]

    def load(self, subject):
        key = subject["file"]
        if key not in self._cache:
            with np.load(os.path.join(self.directory, key)) as z:
                self._cache[key] = {k: z[k] for k in z.files}
        return self._cache[key]


def anatomy_channels(shard, use_anatomy):
    if not use_anatomy:
        return np.zeros((0,) + shard["mask"].shape, np.float32)
    return np.stack([shard["mask"].astype(np.float32), shard["water"], shard["fat"]])


def direct_sample(shard, shim, target="sar", use_anatomy=True):
    """(input [2 or 5, H, W], target [1, H, W], mask [H, W]) for one shim of one subject."""
    mask = shard["mask"].astype(np.float32)
    b1 = shard["b1_shim"][shim] / shard["b1_mean_abs"][shim] * mask  # only the body is measurable
    x = np.concatenate([b1, anatomy_channels(shard, use_anatomy)]).astype(np.float32)
    y = shard[target][shim][None].astype(np.float32)
    return x, y, mask


def per_channel_scale(shard):
    mask = shard["mask"] > 0
    b = shard["b1_channels"]  # C, 2, H, W
    power = (b[:, 0] ** 2 + b[:, 1] ** 2).mean(axis=0)
    return float(np.sqrt(power[mask].mean()))


def per_channel_sample(shard, use_anatomy=True):
    """(input [2C (+3), H, W], target e [2C, H, W], mask, scale s)."""
    mask = shard["mask"].astype(np.float32)
    s = per_channel_scale(shard)
    C = shard["b1_channels"].shape[0]
    b = (shard["b1_channels"] / s * mask).reshape(2 * C, *mask.shape)
    e = (shard["e_channels"] / s).reshape(2 * C, *mask.shape)
    x = np.concatenate([b, anatomy_channels(shard, use_anatomy)]).astype(np.float32)
    return x, e.astype(np.float32), mask, s


def sar_from_channels(e, phases):
    """Point SAR |sum_n w_n e_n|^2 for w_n = exp(j phases_n); e: [2C, H, W] (re, im interleaved by channel)."""
    C = e.shape[0] // 2
    er, ei = e[0::2], e[1::2]
    cr, ci = np.cos(phases)[:, None, None], np.sin(phases)[:, None, None]
    re = (cr * er - ci * ei).sum(0)
    im = (cr * ei + ci * er).sum(0)
    return re * re + im * im


def batches(dataset, split, batch, rng, target="sar", use_anatomy=True):
    """Endless random batches of direct-model samples of a split (numpy arrays)."""
    subs = dataset.subjects(split)
    if not subs:
        raise ValueError(f"split {split!r} has no subjects")
    M = int(dataset.manifest["shims_per_subject"])
    while True:
        xs, ys, ms = [], [], []
        for _ in range(batch):
            shard = dataset.load(subs[rng.integers(len(subs))])
            x, y, m = direct_sample(shard, int(rng.integers(M)), target, use_anatomy)
            xs.append(x); ys.append(y); ms.append(m[None])
        yield np.stack(xs), np.stack(ys), np.stack(ms)


def pad_multiple(a, k):
    """Zero-pads the last two axes (bottom/right) to multiples of k (U-Net input sizes)."""
    H, W = a.shape[-2:]
    ph, pw = (-H) % k, (-W) % k
    if ph == 0 and pw == 0:
        return a
    pad = [(0, 0)] * (a.ndim - 2) + [(0, ph), (0, pw)]
    return np.pad(a, pad)


# ---------------------------------------------------------------------------------------------------------------------
# Cropping and shims generated on the fly from the per-channel maps (training); the stored shims are kept for evaluation.

TRAIN_KEYS = ("b1_channels", "e_channels", "mask", "water", "fat", "rho")


def load_keys(dataset, subject, keys):
    """Only the named arrays of a subject's shard (npz members are read lazily), without touching the shard cache."""
    with np.load(os.path.join(dataset.directory, subject["file"])) as z:
        return {k: z[k] for k in keys}


def crop_box(dataset, multiple, margin=2):
    """Smallest window [y0, y1) x [x0, x1) holding every subject's body mask plus `margin` cells, grown to multiples of
    `multiple` (U-Net pooling) and kept inside the grid. Training on the window is exact for the targets (outside is
    air: no SAR and no mass) and only saves time; config.json stores it and inference applies the same window."""
    ny, nx = int(dataset.manifest["grid"]["ny"]), int(dataset.manifest["grid"]["nx"])
    y0, y1, x0, x1 = ny, 0, nx, 0
    for s in dataset.manifest["subjects"]:
        m = load_keys(dataset, s, ("mask",))["mask"]
        ys, xs = np.nonzero(m)
        y0, y1 = min(y0, ys.min()), max(y1, ys.max() + 1)
        x0, x1 = min(x0, xs.min()), max(x1, xs.max() + 1)
    return (_grow(y0 - margin, y1 + margin, ny, multiple), _grow(x0 - margin, x1 + margin, nx, multiple))


def _grow(a, b, n, k):
    a, b = max(0, a), min(n, b)
    size = min(n - n % k if n % k else n, (b - a) + (-(b - a)) % k)
    if size < b - a:
        return (0, n)  # cannot reach a multiple of k inside the grid: keep it whole (padded later)
    extra = size - (b - a)
    a = max(0, min(a - extra // 2, n - size))
    return (int(a), int(a + size))


def crop(a, box):
    (y0, y1), (x0, x1) = box
    return a[..., y0:y1, x0:x1]


def random_phases(rng, channels):
    """Uniform amplitudes, phases U[0, 2pi) with channel 1 fixed at 0 (as the dataset builder)."""
    ph = rng.uniform(0.0, 2.0 * np.pi, channels)
    ph[0] = 0.0
    return ph


def combine(ch, phases):
    """sum_n w_n c_n for w_n = exp(j phases_n); ch [C, 2, H, W] (re, im) -> [2, H, W]."""
    cr, ci = np.cos(phases)[:, None, None], np.sin(phases)[:, None, None]
    re = (cr * ch[:, 0] - ci * ch[:, 1]).sum(0)
    im = (cr * ch[:, 1] + ci * ch[:, 0]).sum(0)
    return np.stack([re, im])


def shim_sample(sub, phases, target, use_anatomy, averager):
    """Direct-model sample for any shim from a subject's per-channel maps: input [Re, Im B1+]/<|B1+|> x mask (+ anatomy),
    target point SAR or the 2D 10 g average, both / <|B1+|>^2 — the same definitions as the stored shims
    (SurrogateDatasetBuilder); `averager(sar)` applies the subject's 10 g squares."""
    mask = sub["mask"].astype(np.float32)
    b = combine(sub["b1_channels"], phases)
    mean_abs = float(np.sqrt(b[0] ** 2 + b[1] ** 2)[mask > 0].mean())
    x = np.concatenate([b / mean_abs * mask, anatomy_channels(sub, use_anatomy)]).astype(np.float32)
    ec = combine(sub["e_channels"], phases)
    sar = (ec[0] ** 2 + ec[1] ** 2) / mean_abs ** 2
    if target == "sar10g":
        sar = averager(sar)
    return x, sar[None].astype(np.float32), mask, mean_abs
