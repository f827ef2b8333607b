"""Epoch history: choose the best epoch by eye, from the same fixed noise at every save."""
from __future__ import annotations

from pathlib import Path

import streamlit as st

from app import metrics_table, show
from app.charts import history_figure
from app.models import Choice, fixed_noise, generator
from cakegan import Run

MAX_COMPARED = 4


def _use_epoch(epoch: int) -> None:
    st.session_state["epoch"] = epoch  # the sidebar's epoch: every tab follows


@st.cache_resource(max_entries=256, show_spinner=False)
def _grid(run_path: str, snapshot: str, mtime_ns: int) -> bytes:
    images = Run.render(generator(Path(snapshot)), fixed_noise(Run(run_path)))
    return show.png_bytes(show.image_grid(images, nrow=6))  # PNG: a few dozen kB per epoch kept


def fixed_noise_grid(run: Run, epoch: int, ema: bool) -> bytes:
    """That epoch's generator on the run's fixed vectors (generated here, not the saved PNG);
    drawn once per snapshot file, so going back to an epoch is instant."""
    snapshot = run.snapshot_path(epoch, ema)
    return _grid(str(run.path), str(snapshot), snapshot.stat().st_mtime_ns)


def _spread(epochs: list[int], k: int) -> list[int]:
    """k epochs evenly spread over the history, first and last included."""
    if len(epochs) <= k:
        return epochs
    return [epochs[round(i * (len(epochs) - 1) / (k - 1))] for i in range(k)]


def render(choice: Choice) -> None:
    run = choice.run
    if run is None:
        st.info("Epoch history needs a run directory (losses and fixed noise); a lone snapshot "
                "file has none. Open its run directory in the sidebar.")
        return
    if not run.noise_path.is_file():
        st.info(f"{run.path.name} has no fixed_noise.safetensors, so there is no history to draw.")
        return
    epochs = run.snapshot_epochs(ema=choice.ema)
    if st.session_state.get("history_follows") != choice.snapshot or \
            st.session_state.get("history_epoch") not in epochs:
        st.session_state["history_epoch"] = choice.epoch  # the slider follows the sidebar's epoch
        st.session_state["history_follows"] = choice.snapshot
    left, right = st.columns([1, 1])
    with left:
        epoch = st.select_slider("Epoch", epochs, key="history_epoch",
                                 help="The same fixed noise vectors at every saved epoch.")
        show.picture(fixed_noise_grid(run, epoch, choice.ema), f"Fixed noise, epoch {epoch}")
        st.button("Use this epoch", on_click=_use_epoch, args=(epoch,), type="primary",
                  disabled=epoch == choice.epoch, help="Make it the model of every tab.")
    with right:
        rows = run.losses()
        if rows:
            st.plotly_chart(history_figure(rows, epoch), key="history_chart")
        else:
            st.info("This run has no losses.csv rows yet.")
        metrics_table.render(run, epoch, choice.ema, _use_epoch)
    st.subheader("Compare epochs")
    if not set(st.session_state.get("compared_epochs", [])) <= set(epochs):
        del st.session_state["compared_epochs"]  # chosen for another model
    compared = st.multiselect("Epochs side by side", epochs, default=_spread(epochs, 3),
                              max_selections=MAX_COMPARED, key="compared_epochs")
    for col, e in zip(st.columns(MAX_COMPARED), compared):
        with col:
            show.picture(fixed_noise_grid(run, e, choice.ema), f"Epoch {e}", fit=True)
