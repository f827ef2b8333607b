"""Interpolate: the images on the way from A to B (spec item 12)."""
from __future__ import annotations

import streamlit as st
import torch

from app import show
from app.models import Choice, generator, seeded_noise
from app.vectors import SLOTS, Kept, kept
from cakegan import Run
from cakegan.images import gif_bytes, strip
from cakegan.latent import interpolate

STRIP_SCALE = 3


def _endpoint(slot: str, choice: Choice, latent_dim: int) -> torch.Tensor:
    """The kept vector of that slot, or a random one from a seed."""
    vector: Kept | None = kept(slot)
    usable = vector is not None and vector.z.shape[-1] == latent_dim
    options = (["kept", "random"] if usable else ["random"])
    source = st.radio(f"{slot} comes from", options, horizontal=True, key=f"source_{slot}",
                      format_func=lambda o: f"kept: {vector.label}" if o == "kept" else "random seed")
    if source == "kept":
        if vector.snapshot != choice.snapshot:
            st.caption(f"Inverted with {vector.snapshot.name}; drawn here by the current epoch.")
        return vector.z
    seed = int(st.number_input(f"Seed of {slot}", min_value=0, value=SLOTS.index(slot) + 1, step=1,
                               key=f"seed_{slot}"))
    return seeded_noise(seed, 1, latent_dim)[0]


def render(choice: Choice) -> None:
    g = generator(choice.snapshot)
    columns = st.columns(2)
    ends = []
    for col, slot in zip(columns, SLOTS):
        with col:
            ends.append(_endpoint(slot, choice, g.latent_dim))
    steps_col, mode_col = st.columns(2)
    steps = steps_col.slider("Steps (A and B included)", 3, 16, 8, key="interp_steps")
    mode = mode_col.radio("Path", ("linear", "slerp"), horizontal=True, key="interp_mode",
                          help="slerp follows the sphere where Gaussian noise lives.")
    images = Run.render(g, interpolate(ends[0], ends[1], steps=steps, mode=mode))
    show.picture(strip(images, scale=STRIP_SCALE), f"A to B, {mode}, {steps} steps")
    st.download_button("Download GIF", gif_bytes(images, scale=STRIP_SCALE * 2),
                       file_name=f"interpolation-{mode}.gif", mime="image/gif", on_click="ignore")
