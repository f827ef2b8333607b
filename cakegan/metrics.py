"""Offline quality numbers (no downloaded networks): patch statistics and held-out inversion.

The sliced Wasserstein distance follows Karras et al. 2018 (ProGAN, sliced_wasserstein.py):
Laplacian pyramid down to 16x16, 128 random 7x7 patches per image and level, each level's
descriptors normalised per colour channel, 4 x 128 random directions, distance x 1e3,
averaged over the levels. Lower is better; a fixed seed makes scores comparable across epochs.
"""
from __future__ import annotations

from typing import Sequence

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from .invert import Target, invert_batch

_BINOMIAL = torch.tensor([1.0, 4.0, 6.0, 4.0, 1.0])
GAUSSIAN_5X5 = torch.outer(_BINOMIAL, _BINOMIAL) / 256.0  # cv2.pyrDown's filter
PATCH = 7
SMALLEST_LEVEL = 16


def _filter(x: torch.Tensor, kernel: torch.Tensor) -> torch.Tensor:
    c = x.shape[1]
    weight = kernel.to(x)[None, None].expand(c, 1, *kernel.shape)
    return F.conv2d(F.pad(x, (2, 2, 2, 2), mode="reflect"), weight, groups=c)


def pyr_down(x: torch.Tensor) -> torch.Tensor:
    return _filter(x, GAUSSIAN_5X5)[:, :, ::2, ::2]


def pyr_up(x: torch.Tensor) -> torch.Tensor:
    n, c, h, w = x.shape
    up = x.new_zeros(n, c, 2 * h, 2 * w)
    up[:, :, ::2, ::2] = x
    return _filter(up, GAUSSIAN_5X5 * 4)


def laplacian_pyramid(images: torch.Tensor) -> list[torch.Tensor]:
    """Band-pass levels from full resolution down to 16x16; the last level is the low-pass rest."""
    levels = [images.float()]
    while levels[-1].shape[-1] // 2 >= SMALLEST_LEVEL:
        levels.append(pyr_down(levels[-1]))
        levels[-2] = levels[-2] - pyr_up(levels[-1])
    return levels


def patch_descriptors(level: torch.Tensor, per_image: int, rng: torch.Generator) -> torch.Tensor:
    """`per_image` random 7x7x3 patches of every image, each channel normalised over the set."""
    n, c, h, w = level.shape
    r = PATCH // 2
    ys = torch.randint(r, h - r, (n, per_image), generator=rng)
    xs = torch.randint(r, w - r, (n, per_image), generator=rng)
    offsets = torch.arange(-r, r + 1)
    rows = (ys[..., None] + offsets)[..., :, None]          # (n, p, 7, 1)
    cols = (xs[..., None] + offsets)[..., None, :]          # (n, p, 1, 7)
    flat = (rows * w + cols).reshape(n, 1, -1)              # (n, 1, p*49)
    patches = level.reshape(n, c, h * w).gather(2, flat.expand(n, c, -1))
    patches = patches.reshape(n, c, per_image, PATCH, PATCH).transpose(1, 2).reshape(-1, c, PATCH, PATCH)
    patches = patches - patches.mean(dim=(0, 2, 3), keepdim=True)
    patches = patches / patches.std(dim=(0, 2, 3), unbiased=False, keepdim=True).clamp_min(1e-8)
    return patches.reshape(len(patches), -1)


def _sliced(a: torch.Tensor, b: torch.Tensor, repeats: int, directions: int, rng: torch.Generator) -> float:
    total = 0.0
    for _ in range(repeats):
        dirs = torch.randn(a.shape[1], directions, generator=rng)
        dirs = dirs / dirs.norm(dim=0, keepdim=True)
        # (directions, patches); NumPy sorts these rows ~4x faster than torch.sort on CPU.
        pa = np.sort((dirs.T @ a.T).numpy(), axis=1)
        pb = np.sort((dirs.T @ b.T).numpy(), axis=1)
        total += float(np.abs(pa - pb).mean())
    return total / repeats


def sliced_wasserstein(a: torch.Tensor, b: torch.Tensor, *, patches_per_image: int = 128,
                       repeats: int = 4, directions: int = 128, seed: int = 0) -> float:
    """SWD x 1e3 between two equally sized sets of images (N, 3, R, R), averaged over levels."""
    if a.dim() != 4 or a.shape != b.shape:
        raise ValueError(f"SWD compares two image sets of the same shape (N, 3, R, R); got "
                         f"{tuple(a.shape)} and {tuple(b.shape)}.")
    if a.shape[-1] < SMALLEST_LEVEL or a.shape[-1] != a.shape[-2]:
        raise ValueError(f"SWD needs square images of at least {SMALLEST_LEVEL} pixels.")
    rng = torch.Generator().manual_seed(seed)
    distances = []
    with torch.no_grad():
        for la, lb in zip(laplacian_pyramid(a.cpu()), laplacian_pyramid(b.cpu())):
            da = patch_descriptors(la, patches_per_image, rng)
            db = patch_descriptors(lb, patches_per_image, rng)
            distances.append(_sliced(da, db, repeats, directions, rng) * 1e3)
    return sum(distances) / len(distances)


def holdout_psnr(generator: nn.Module, images: torch.Tensor | Sequence[Target], *, steps: int = 300,
                 restarts: int = 1, seed: int = 0, **options) -> float:
    """Mean PSNR (dB) of inverting photos the model never saw: can it express new cakes?"""
    results = invert_batch(generator, list(images), steps=steps, restarts=restarts, seed=seed, **options)
    return sum(r.psnr for r in results) / len(results)
