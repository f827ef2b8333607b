"""The scores scripts/evaluate.py wrote into the run's metrics.csv, and the epoch it suggests."""
from __future__ import annotations

import csv
from typing import Callable

import streamlit as st

from app.catalog import recommended_epoch
from cakegan import Run

YES = {"1", "true", "yes"}


def read_metrics(run: Run, ema: bool) -> list[dict[str, str]]:
    """Rows of metrics.csv (metrics-ema.csv for the EMA snapshots); empty before evaluate.py ran."""
    path = run.path / ("metrics-ema.csv" if ema else "metrics.csv")
    if not path.is_file():
        return []
    with open(path, newline="") as f:
        return [row for row in csv.DictReader(f) if (row.get("epoch") or "").isdigit()]


def suggested_epoch(rows: list[dict[str, str]]) -> int | None:
    """The row evaluate.py marked in its `suggested` column, if it marked one."""
    marked = [int(r["epoch"]) for r in rows if (r.get("suggested") or "").strip().lower() in YES]
    return marked[0] if marked else None


def render(run: Run, epoch: int, ema: bool, use_epoch: Callable[[int], None]) -> None:
    """The metrics table, and buttons for the epochs evaluate.py and the model card pick."""
    rows = read_metrics(run, ema)
    picks = {"evaluate.py suggests": suggested_epoch(rows),
             "The model card recommends": recommended_epoch(run.path)}
    shipped = set(run.snapshot_epochs(ema=ema))
    for who, pick in picks.items():
        if pick in shipped:  # a table may name epochs whose snapshots were not kept
            st.button(f"{who} epoch {pick}: use it", on_click=use_epoch, args=(pick,),
                      disabled=pick == epoch, key=f"pick_{who}")
    if not rows:
        st.caption("No metrics for these snapshots yet: `python scripts/evaluate.py RUN_DIR "
                   "[--ema]` scores every one.")
        return
    st.markdown("**Metrics** (scripts/evaluate.py)")
    st.dataframe(rows, hide_index=True, height=220, key="metrics")
