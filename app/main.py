"""cakegan explorer: `streamlit run app/main.py [-- /folder/of/runs ...]`.

Thin on purpose: every computation is a cakegan call; this file only lays out the page.
"""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # `app` and `cakegan` importable

import streamlit as st  # noqa: E402

from app import sidebar  # noqa: E402
from app.models import generator  # noqa: E402
from app.tabs import data, history, interpolate, invert, sample  # noqa: E402

TABS = ("Epoch history", "Sample", "Invert", "Interpolate", "Data & augmentation")


def script_args() -> list[str]:
    """Folders given after `--` to `streamlit run`; none when another program (a test) hosts us."""
    return sys.argv[1:] if Path(sys.argv[0]).resolve() == Path(__file__).resolve() else []


st.set_page_config(page_title="cakegan explorer", page_icon="🥕", layout="wide")
st.html("<style>img { image-rendering: pixelated; }</style>")  # crisp pixels at any size

choice = sidebar.choose_model(script_args())
folder = sidebar.data_folder()
st.title("cakegan explorer")
if choice is None:
    st.info("Open a model in the sidebar to start.")
    st.stop()
st.caption(f"Model: {choice.title}")

pages = st.tabs(TABS, key="tab", on_change="rerun")
views = (lambda: history.render(choice), lambda: sample.render(choice),
         lambda: invert.render(choice, folder), lambda: interpolate.render(choice),
         lambda: data.render(folder, generator(choice.snapshot).resolution))
for page, view in zip(pages, views):
    if page.open:
        with page:
            try:
                view()
            except ValueError as e:  # cakegan's errors (DataError, RunError...) are one sentence
                st.error(str(e))
