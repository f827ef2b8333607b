"""The sidebar: which model, which epoch, which data folder. Returns the shared Choice."""
from __future__ import annotations

import os
from pathlib import Path

import streamlit as st

from app import catalog
from app.models import Choice, generator
from cakegan import Run


def _typed_path() -> Path | None:
    text = st.sidebar.text_input(
        "Or open a run directory, a folder of runs, or a snapshot file", key="typed_path",
        placeholder="/path/to/runs/my-run").strip()
    return Path(text).expanduser() if text else None


def _lone_snapshot(path: Path) -> Choice:
    return Choice(path, None, generator(path).epoch, False)


def _run_choice(path: Path) -> Choice:
    run = Run(path)
    has_ema = bool(run.snapshot_epochs(ema=True))
    ema = st.sidebar.toggle("Averaged (EMA) generator", value=has_ema, key="ema",
                            disabled=not has_ema, help="The exponential moving average of the "
                            "generator's weights, saved by training with --ema: usually steadier.")
    epochs = run.snapshot_epochs(ema=ema and has_ema)
    if not epochs:
        raise ValueError(f"{path} holds no generator snapshot yet: wait for the first save or "
                         "choose another run.")
    if st.session_state.get("epoch") not in epochs:
        st.session_state["epoch"] = catalog.default_epoch(path, epochs)
    epoch = st.sidebar.selectbox("Epoch", epochs, key="epoch")
    return Choice(run.snapshot_path(epoch, ema=ema and has_ema), run, epoch, ema and has_ema)


def _resolve(entries: list[catalog.Entry], typed: Path | None) -> Choice | None:
    if typed is not None:
        if typed.is_file():
            return _lone_snapshot(typed)
        runs = catalog.runs_under(typed)
        if not runs:
            raise ValueError(f"{typed} is neither a run directory, a folder of runs nor a "
                             "snapshot file: check the path.")
        entries = [catalog.Entry(p.name, p) for p in runs]
    if not entries:
        return None
    labels = [e.label for e in entries]
    if st.session_state.get("model") not in labels:
        st.session_state["model"] = labels[0]
    label = st.sidebar.selectbox("Model", labels, key="model")
    return _run_choice(entries[labels.index(label)].path)


def choose_model(argv: list[str]) -> Choice | None:
    """The picked snapshot, already loadable; None (with a message) when there is nothing to show."""
    st.sidebar.header("Model")
    entries = catalog.catalog(argv)
    if not catalog.shipped():
        st.sidebar.info("No model is shipped yet: open one of your own runs (type its path below, "
                        "set CAKEGAN_RUNS, or start the app with `streamlit run app/main.py -- "
                        "/path/to/runs`).")
    typed = _typed_path()
    try:
        choice = _resolve(entries, typed)
        if choice is not None:
            generator(choice.snapshot)  # load now so a broken file is reported here, once
    except ValueError as e:
        st.sidebar.error(str(e))
        return None
    return choice


def data_folder() -> Path | None:
    """A folder of photos for the data preview and for inversion targets (CAKEGAN_DATA sets it)."""
    st.sidebar.header("Data")
    if "data_folder" not in st.session_state:
        st.session_state["data_folder"] = os.environ.get("CAKEGAN_DATA", "")
    text = st.sidebar.text_input("Folder of photos (optional)", key="data_folder").strip()
    return Path(text).expanduser() if text else None
