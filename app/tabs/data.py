"""Data and augmentation preview (spec items 4 and 13): a few photos, each augmented many times."""
from __future__ import annotations

from pathlib import Path

import streamlit as st
import torch

from app import show
from app.photos import photo_files
from cakegan import DataError, open_image, prepare
from cakegan.data import augmenter

PHOTOS = 4
COPIES = 7


def render(folder: Path | None, resolution: int) -> None:
    if folder is None:
        st.info("Give a folder of photos in the sidebar (Data) to preview it and its augmentations.")
        return
    try:
        files = photo_files(folder)
    except DataError as e:
        st.error(str(e))
        return
    st.caption(f"{len(files)} image files in {folder}. Left: the photo as the model sees it "
               f"({resolution}x{resolution}); right: random flips, zooms and rotations of it, as "
               "training with --augment draws them.")
    augment = augmenter(resolution)
    seed = int(st.number_input("Which photos", min_value=0, step=1, key="data_seed",
                               help="Another number shows other photos."))
    picked = torch.randperm(len(files), generator=torch.Generator().manual_seed(seed))[:PHOTOS]
    for i in picked.tolist():
        try:
            photo = prepare(open_image(files[i]), resolution)
        except DataError as e:
            st.error(f"{files[i].name}: {e}")
            continue
        row = torch.stack([photo] + [augment(photo) for _ in range(COPIES)])
        show.picture(show.image_grid(row, nrow=COPIES + 1), files[i].name)
