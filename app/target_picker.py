"""Where an inversion target comes from: an upload, a bundled out-of-class image, the model
itself, or a photo from the data folder. Every failure is one st.error sentence."""
from __future__ import annotations

from pathlib import Path

import streamlit as st
import torch
from PIL import Image

from app import show
from app.models import seeded_noise
from app.photos import photo_files
from cakegan import DataError, Run, open_image, targets
from cakegan.data import IMAGE_SUFFIXES
from cakegan.invert import as_target

UPLOAD, BUNDLED, GENERATED, DATA = ("Upload a photo", "Out-of-class image",
                                    "Image this model generates", "Photo from the data folder")
MAX_UPLOAD_MB = 10

Target = Image.Image | torch.Tensor


def _uploaded() -> tuple[Target, str] | None:
    file = st.file_uploader("Image (JPEG, PNG, WebP, BMP, GIF; at most 10 MB)",
                            type=sorted(s.lstrip(".") for s in IMAGE_SUFFIXES),
                            max_upload_size=MAX_UPLOAD_MB, key="upload")
    return (open_image(file), file.name) if file is not None else None


def _bundled() -> tuple[Target, str]:
    name = st.selectbox("Out-of-class image", sorted(targets.OUT_OF_CLASS), key="bundled_target")
    return targets.OUT_OF_CLASS[name](), name


def _generated(generator: torch.nn.Module) -> tuple[Target, str]:
    seed = int(st.number_input("Seed of the generated image", min_value=0, step=1, key="target_seed"))
    return Run.render(generator, seeded_noise(seed, 1, generator.latent_dim))[0], f"generated, seed {seed}"


def _from_folder(folder: Path | None) -> tuple[Target, str] | None:
    if folder is None:
        st.info("Give a folder of photos in the sidebar (Data) to pick one here.")
        return None
    files = photo_files(folder)
    path = st.selectbox("Photo", files, format_func=lambda p: p.name, key="folder_target")
    return open_image(path), path.name


def pick(generator: torch.nn.Module, folder: Path | None) -> tuple[torch.Tensor, str] | None:
    """The target as the search will compare it ((3, R, R) in [-1, 1]) and a label; None if none."""
    source = st.radio("Target", (UPLOAD, BUNDLED, GENERATED, DATA), index=2, horizontal=True,
                      key="target_source")
    try:
        found = {UPLOAD: _uploaded, BUNDLED: _bundled, GENERATED: lambda: _generated(generator),
                 DATA: lambda: _from_folder(folder)}[source]()
    except DataError as e:
        st.error(str(e))
        return None
    if found is None:
        return None
    target, label = found
    prepared = as_target(target, generator.resolution)
    show.picture(show.enlarge(prepared), f"Target: {label}")
    return prepared, label
