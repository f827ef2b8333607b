"""Pictures on screen: large and crisp (32 px is tiny on a projector), and as downloads."""
from __future__ import annotations

import io

import streamlit as st
import torch
from PIL import Image

from cakegan.images import grid, to_pil

SINGLE_SCALE = 8  # one 32 px image -> 256 px
GRID_SCALE = 4


def png_bytes(picture: Image.Image) -> bytes:
    buf = io.BytesIO()
    picture.save(buf, format="PNG")
    return buf.getvalue()


def enlarge(image: torch.Tensor) -> Image.Image:
    """One (3, R, R) image at the same on-screen size whatever the model's resolution."""
    return to_pil(image, scale=SINGLE_SCALE * 32 // image.shape[-1])


def image_grid(images: torch.Tensor, nrow: int | None = None) -> Image.Image:
    """(N, 3, R, R) as one crisp picture."""
    return grid(images, nrow=nrow, scale=GRID_SCALE * 32 // images.shape[-1])


def picture(image: Image.Image | bytes, caption: str | None = None, fit: bool = False) -> None:
    """Shown at its own (already enlarged) size, or fitted to its column with `fit`."""
    st.image(image, caption=caption, width="stretch" if fit else "content", output_format="PNG")
