"""Differentiable augmentation (Zhao et al. 2020, "DiffAugment") for a discriminator short of data.

With ~700 photos the discriminator memorises the training set: in our fast run D(G(z)) sinks from
0.09 to 0.05 after epoch ~300 and every figure stops improving. Augmenting only the real photos
(`--augment`) would teach the generator the augmentations themselves; DiffAugment instead transforms
BOTH real and generated images every time the discriminator looks at them, with operations that
gradients pass through, so D cannot memorise while G still learns the un-augmented photos.
Images are in [-1, 1], NCHW; each image draws its own random parameters. The policy's names are
`config.DIFFAUGMENT_OPS`. Measured on the cakes: it does stop D from winning, but slows the generator
as much, and lost to `--mirror` at every epoch we scored (README, "The shipped model").
"""
from __future__ import annotations

import torch
import torch.nn.functional as F


def _color(x: torch.Tensor) -> torch.Tensor:
    """Random brightness (+-0.5), saturation (x0..2) and contrast (x0.5..1.5), as in the paper."""
    n = x.shape[0]
    r = torch.rand(n, 3, 1, 1, 1, dtype=x.dtype, device=x.device)
    x = x + (r[:, 0] - 0.5)
    mean = x.mean(dim=1, keepdim=True)
    x = (x - mean) * (r[:, 1] * 2) + mean
    mean = x.mean(dim=(1, 2, 3), keepdim=True)
    return (x - mean) * (r[:, 2] + 0.5) + mean


def _translation(x: torch.Tensor, ratio: float = 0.125) -> torch.Tensor:
    """Shift each image by up to 1/8 of its size, filling with zeros (mid-grey)."""
    n, _, h, w = x.shape
    sh, sw = int(h * ratio + 0.5), int(w * ratio + 0.5)
    dy = torch.randint(-sh, sh + 1, (n, 1, 1), device=x.device)
    dx = torch.randint(-sw, sw + 1, (n, 1, 1), device=x.device)
    b, gy, gx = torch.meshgrid(torch.arange(n, device=x.device), torch.arange(h, device=x.device),
                               torch.arange(w, device=x.device), indexing="ij")
    gy = torch.clamp(gy + dy + 1, 0, h + 1)  # +1: index into the 1-pixel zero border added below
    gx = torch.clamp(gx + dx + 1, 0, w + 1)
    padded = F.pad(x, (1, 1, 1, 1)).permute(0, 2, 3, 1)
    return padded[b, gy, gx].permute(0, 3, 1, 2)


def _cutout(x: torch.Tensor, ratio: float = 0.5) -> torch.Tensor:
    """Zero one square of half the image's size at a random place (it may stick out of the image)."""
    n, _, h, w = x.shape
    ch, cw = int(h * ratio + 0.5), int(w * ratio + 0.5)
    cy = torch.randint(0, h + (1 - ch % 2), (n, 1, 1), device=x.device)
    cx = torch.randint(0, w + (1 - cw % 2), (n, 1, 1), device=x.device)
    ys = torch.arange(h, device=x.device).view(1, h, 1)
    xs = torch.arange(w, device=x.device).view(1, 1, w)
    oy, ox = ys - cy + ch // 2, xs - cx + cw // 2  # position inside the square
    inside = (oy >= 0) & (oy < ch) & (ox >= 0) & (ox < cw)
    return x * (~inside).unsqueeze(1).to(x.dtype)


_APPLY = {"color": _color, "translation": _translation, "cutout": _cutout}


def diff_augment(x: torch.Tensor, policy: tuple[str, ...]) -> torch.Tensor:
    """Apply the policy's operations in order; differentiable with respect to x."""
    for op in policy:
        x = _APPLY[op](x)
    return x
