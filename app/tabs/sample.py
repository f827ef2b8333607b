"""Sample: a reproducible grid of random images from a seed (spec items 3 and 14)."""
from __future__ import annotations

import streamlit as st

from app import show
from app.models import Choice, generator, seeded_noise
from cakegan import Run

SIZES = (9, 16, 36, 64)


def _new_batch() -> None:
    st.session_state["seed"] += 1


def render(choice: Choice) -> None:
    g = generator(choice.snapshot)
    st.session_state.setdefault("seed", 0)
    seed_col, size_col, button_col = st.columns([2, 2, 1], vertical_alignment="bottom")
    seed = int(seed_col.number_input("Seed", min_value=0, step=1, key="seed",
                                     help="The same seed always gives the same images."))
    n = size_col.select_slider("Images", SIZES, value=16, key="sample_count")
    button_col.button("New batch", on_click=_new_batch)
    images = Run.render(g, seeded_noise(seed, n, g.latent_dim))
    picture = show.image_grid(images)
    show.picture(picture, f"{choice.title}, seed {seed}", fit=True)
    st.download_button("Download PNG", show.png_bytes(picture),
                       file_name=f"cakegan-epoch{choice.epoch}-seed{seed}.png", mime="image/png",
                       on_click="ignore")
