"""The latent vectors a session keeps (A and B for interpolation); per session, never shared."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import streamlit as st
import torch

SLOTS = ("A", "B")


@dataclass(frozen=True)
class Kept:
    """A vector and where it came from, so the page can say what A and B are."""

    z: torch.Tensor
    label: str
    snapshot: Path


def keep(slot: str, vector: Kept) -> None:
    st.session_state.setdefault("kept", {})[slot] = vector


def kept(slot: str) -> Kept | None:
    return st.session_state.get("kept", {}).get(slot)
