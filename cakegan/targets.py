"""Spec item 11: non-cake targets drawn by code, so no third-party picture is shipped."""
from __future__ import annotations

from typing import Callable

import numpy as np
from PIL import Image, ImageDraw


def checkerboard(size: int = 128, squares: int = 4) -> Image.Image:
    """Black and white squares: hard edges and no colour, nothing like a cake."""
    cells = (np.indices((size, size)) * squares // size).sum(axis=0) % 2
    return Image.fromarray((cells * 255).astype(np.uint8)).convert("RGB")


def gradient(size: int = 128) -> Image.Image:
    """Red to blue left to right, green rising top to bottom: smooth and saturated."""
    ramp = np.linspace(0, 255, size)
    red = np.tile(ramp[::-1], (size, 1))
    green = np.tile(ramp[:, None], (1, size))
    blue = np.tile(ramp, (size, 1))
    return Image.fromarray(np.stack([red, green, blue], axis=-1).astype(np.uint8))


def blue_circle(size: int = 128) -> Image.Image:
    """A blue disc on yellow: one simple shape in colours a carrot cake never has."""
    img = Image.new("RGB", (size, size), (250, 220, 40))
    margin = size // 5
    ImageDraw.Draw(img).ellipse((margin, margin, size - margin, size - margin), fill=(30, 60, 200))
    return img


OUT_OF_CLASS: dict[str, Callable[[], Image.Image]] = {
    "checkerboard": checkerboard,
    "gradient": gradient,
    "blue circle": blue_circle,
}
