"""Small CPU-sized networks for the B1+ -> SAR surrogate (PyTorch >= 1.13). Inputs must have H and W divisible by
2**levels (use data.pad_to / pad_multiple)."""
import torch
from torch import nn
import torch.nn.functional as F


class ConvBlock(nn.Sequential):
    """Two 3x3 convolutions, each with BatchNorm and ReLU."""

    def __init__(self, cin, cout):
        super().__init__(
            nn.Conv2d(cin, cout, 3, padding=1, bias=False), nn.BatchNorm2d(cout), nn.ReLU(inplace=True),
            nn.Conv2d(cout, cout, 3, padding=1, bias=False), nn.BatchNorm2d(cout), nn.ReLU(inplace=True))


class UNet(nn.Module):
    """U-Net (Ronneberger 2015) with `levels` poolings, `base` channels at full resolution, doubling per level.
    positive=True ends in softplus (SAR >= 0); False gives a linear output (per-channel complex fields)."""

    def __init__(self, in_ch, out_ch, base=16, levels=3, positive=True, dropout=0.0):
        super().__init__()
        self.levels = levels
        self.positive = positive
        self.enc = nn.ModuleList()
        c = in_ch
        for l in range(levels):
            self.enc.append(ConvBlock(c, base * 2 ** l))
            c = base * 2 ** l
        self.bottom = ConvBlock(c, base * 2 ** levels)
        self.drop = nn.Dropout2d(dropout) if dropout > 0 else nn.Identity()
        self.up = nn.ModuleList()
        self.dec = nn.ModuleList()
        c = base * 2 ** levels
        for l in reversed(range(levels)):
            self.up.append(nn.ConvTranspose2d(c, base * 2 ** l, 2, stride=2))
            self.dec.append(ConvBlock(2 * base * 2 ** l, base * 2 ** l))
            c = base * 2 ** l
        self.head = nn.Conv2d(c, out_ch, 1)

    def forward(self, x):
        skips = []
        for block in self.enc:
            x = block(x)
            skips.append(x)
            x = F.max_pool2d(x, 2)
        x = self.drop(self.bottom(x))
        for up, dec, skip in zip(self.up, self.dec, reversed(skips)):
            x = dec(torch.cat([up(x), skip], dim=1))
        x = self.head(x)
        return F.softplus(x) if self.positive else x


class PatchGAN(nn.Module):
    """PatchGAN discriminator (Isola et al. 2017, reduced): 4x4 stride-2 convolutions C{base}-C{2base}-C{4base}, then a
    stride-1 4x4 convolution to one logit per patch. Input: condition and SAR map concatenated along channels."""

    def __init__(self, in_ch, base=32, layers=3):
        super().__init__()
        mods = [nn.Conv2d(in_ch, base, 4, stride=2, padding=1), nn.LeakyReLU(0.2, inplace=True)]
        c = base
        for l in range(1, layers):
            mods += [nn.Conv2d(c, c * 2, 4, stride=2, padding=1, bias=False), nn.BatchNorm2d(c * 2), nn.LeakyReLU(0.2, inplace=True)]
            c *= 2
        mods += [nn.Conv2d(c, 1, 4, stride=1, padding=1)]
        self.net = nn.Sequential(*mods)

    def forward(self, cond, y):
        return self.net(torch.cat([cond, y], dim=1))


def sar_from_e(e, cos, sin):
    """|sum_n w_n e_n|^2 with w_n = cos_n + j sin_n. e: [N, 2C, H, W] (re, im per channel); cos, sin: [N, C]."""
    er, ei = e[:, 0::2], e[:, 1::2]
    c, s = cos[:, :, None, None], sin[:, :, None, None]
    re = (c * er - s * ei).sum(1, keepdim=True)
    im = (c * ei + s * er).sum(1, keepdim=True)
    return re * re + im * im


def count_parameters(model):
    return sum(p.numel() for p in model.parameters())
