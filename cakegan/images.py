"""Tensors in [-1, 1] <-> pictures a person can look at."""
from __future__ import annotations

import io
import math
from typing import Sequence

import numpy as np
import torch
from PIL import Image


def to_pil(image: torch.Tensor, scale: int = 1) -> Image.Image:
    """(3, R, R) in [-1, 1] -> RGB image, optionally enlarged with crisp nearest-neighbour pixels."""
    a = ((image.detach().float().cpu().clamp(-1, 1) + 1) * 127.5).round().to(torch.uint8)
    return enlarge(Image.fromarray(a.permute(1, 2, 0).numpy()), scale)


def enlarge(img: Image.Image, scale: int) -> Image.Image:
    """Crisp nearest-neighbour pixels: 32 px is tiny on a projector, and must not blur."""
    return img.resize((img.width * scale, img.height * scale), Image.Resampling.NEAREST) if scale > 1 else img


def grid(images: torch.Tensor, nrow: int | None = None, scale: int = 1, padding: int = 2) -> Image.Image:
    """(N, 3, R, R) -> one picture, `nrow` images per row (square-ish by default)."""
    n, _, h, w = images.shape
    nrow = nrow or math.ceil(math.sqrt(n))
    rows = math.ceil(n / nrow)
    canvas = np.full((rows * (h + padding) + padding, nrow * (w + padding) + padding, 3), 255, np.uint8)
    for i, img in enumerate(images):
        r, c = divmod(i, nrow)
        y, x = padding + r * (h + padding), padding + c * (w + padding)
        canvas[y:y + h, x:x + w] = np.asarray(to_pil(img))
    return enlarge(Image.fromarray(canvas), scale)


def strip(images: torch.Tensor | Sequence[torch.Tensor], scale: int = 4) -> Image.Image:
    """Images side by side in one row: an inversion from noise to best, or an interpolation."""
    batch = torch.stack(list(images)) if not torch.is_tensor(images) else images
    if batch.dim() != 4 or len(batch) == 0:
        raise ValueError("A strip needs a non-empty sequence of (3, H, W) images.")
    return grid(batch, nrow=len(batch), scale=scale)


def gif_bytes(images: torch.Tensor | Sequence[torch.Tensor], scale: int = 4, duration_ms: int = 120,
              hold_last_ms: int = 1000) -> bytes:
    """An animated GIF that loops forever; the last frame stays up a little longer."""
    frames = [to_pil(img, scale) for img in images]
    if not frames:
        raise ValueError("A GIF needs at least one frame.")
    durations = [duration_ms] * (len(frames) - 1) + [max(duration_ms, hold_last_ms)]
    buf = io.BytesIO()
    frames[0].save(buf, format="GIF", save_all=True, append_images=frames[1:], duration=durations,
                   loop=0, disposal=1)
    return buf.getvalue()
