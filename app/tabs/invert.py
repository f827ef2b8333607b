"""Invert: find the latent vector whose image imitates a target (spec items 10-11), live."""
from __future__ import annotations

import tempfile
from pathlib import Path

import streamlit as st

from app import show, target_picker
from app.inversion_job import InversionJob
from app.models import Choice, generator
from app.vectors import SLOTS, Kept, keep, kept
from cakegan.cpu import native_bfloat16
from cakegan.images import gif_bytes, strip
from cakegan.invert import RECIPES, Inversion
from cakegan.latent import save_latent

STRIP_SCALE = 3


def _options() -> dict:
    steps = int(st.number_input("Steps", min_value=1, max_value=2000, value=300, step=50, key="steps"))
    restarts = int(st.number_input("Restarts", min_value=1, max_value=16, value=4, key="restarts",
                                   help="Random starts searched together; the best wins."))
    recipe = st.selectbox("Recipe", list(RECIPES), format_func=lambda r: RECIPES[r]["label"], key="recipe")
    fast = st.checkbox("Fast arithmetic (bfloat16)", value=native_bfloat16(), key="bfloat16",
                       help="Runs the generator in bfloat16: ~1.5x faster on CPUs that have it in hardware "
                            f"(this one: {'yes' if native_bfloat16() else 'no'}), same reconstructions in "
                            "our measurements.")
    return dict(steps=steps, restarts=restarts, recipe=recipe, precision="bfloat16" if fast else "float32")


def _follow(job: InversionJob) -> None:
    """Redraw the strip and the progress bar until the search ends (or Stop reruns the page)."""
    strip_slot, bar = st.empty(), st.progress(0.0)
    while True:
        finished = job.wait(0.25)
        bar.progress(job.step / job.steps, text=f"Step {job.step} of {job.steps}, MSE {job.loss:.4f}")
        if frames := list(job.frames):
            strip_slot.image(strip(frames, scale=STRIP_SCALE), caption="Best image so far")
        if finished:  # the result below replaces the live view
            strip_slot.empty()
            bar.empty()
            return


def vector_bytes(result: Inversion, snapshot: Path) -> bytes:
    """The downloadable vector file, recording the snapshot it belongs to."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "z.safetensors"
        save_latent(path, result.z, snapshot)
        return path.read_bytes()


def _show_result(result: Inversion, label: str, snapshot: Path) -> None:
    target_col, image_col = st.columns(2)
    with target_col:
        show.picture(show.enlarge(result.target), f"Target: {label}")
    with image_col:
        show.picture(show.enlarge(result.image), f"Reconstruction: PSNR {result.psnr:.1f} dB")
    how = "stopped early" if result.stopped else "finished"
    st.caption(f"{how} after {result.steps_run} steps; final MSE {result.mse:.4f}.")
    st.image(strip(result.frames, scale=STRIP_SCALE), caption="From random to best imitation")
    vector = Kept(result.z, label, snapshot)
    cols = st.columns(4)
    for col, slot in zip(cols, SLOTS):
        col.button(f"Keep as {slot}", key=f"keep_{slot}", on_click=keep, args=(slot, vector),
                   help="Use this vector as an end of the interpolation.")
    cols[2].download_button("Download GIF", gif_bytes(result.frames, scale=STRIP_SCALE * 2),
                            file_name="inversion.gif", mime="image/gif", on_click="ignore")
    cols[3].download_button("Download vector", vector_bytes(result, snapshot),
                            file_name="inversion-z.safetensors", on_click="ignore")
    if held := [f"{slot}: {v.label}" for slot in SLOTS if (v := kept(slot)) is not None]:
        st.caption("Kept for the Interpolate tab: " + "; ".join(held) + ".")


def render(choice: Choice, folder: Path | None) -> None:
    g = generator(choice.snapshot)
    target_col, options_col = st.columns([3, 2])
    with target_col:
        found = target_picker.pick(g, folder)
    with options_col:
        options = _options()
        job: InversionJob | None = st.session_state.get("job")
        running = job is not None and not job.done
        if st.button("Invert", type="primary", disabled=found is None or running, key="invert"):
            target, label = found
            job = st.session_state["job"] = InversionJob(g, target, label=label, snapshot=choice.snapshot,
                                                          **options)
            st.session_state.pop("inversion", None)
            running = True
        stop_slot = st.empty()
    if job is not None:
        if running and stop_slot.button("Stop search", key="stop", help="End now and keep the best so far."):
            job.stop()
        _follow(job)
        stop_slot.empty()
        del st.session_state["job"]
        if job.error is not None:
            st.error(f"The inversion failed: {job.error}")
        else:
            st.session_state["inversion"] = (job.result, job.label, job.snapshot)
            st.rerun()  # redraw the page as idle: Invert enabled, the result below
    if "inversion" in st.session_state:
        _show_result(*st.session_state["inversion"])
