"""Generators loaded once per file version and shared by every session (never mutated)."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import streamlit as st
import torch

from cakegan import Run, load_generator


@dataclass(frozen=True)
class Choice:
    """The snapshot every tab works with; `run` is None for a lone snapshot file."""

    snapshot: Path
    run: Run | None
    epoch: int
    ema: bool

    @property
    def title(self) -> str:
        where = self.run.path.name if self.run else self.snapshot.name
        return f"{where}, epoch {self.epoch}{' (EMA)' if self.ema else ''}"


@st.cache_resource(max_entries=32, show_spinner=False)
def _load(path: str, mtime_ns: int) -> torch.nn.Module:
    # mtime in the key: a re-exported file is reloaded, an unchanged one never is.
    return load_generator(path)


def generator(path: Path) -> torch.nn.Module:
    """The shared generator of a snapshot; raises ValueError with a sentence for a bad file."""
    if not path.is_file():
        raise ValueError(f"{path} does not exist: choose a generator snapshot (.safetensors).")
    return _load(str(path), path.stat().st_mtime_ns)


@st.cache_resource(max_entries=32, show_spinner=False)
def _fixed_noise(path: str, mtime_ns: int) -> torch.Tensor:
    return Run(path).fixed_noise()


def fixed_noise(run: Run) -> torch.Tensor:
    """The run's fixed latent vectors, read once."""
    return _fixed_noise(str(run.path), run.noise_path.stat().st_mtime_ns)


def seeded_noise(seed: int, n: int, latent_dim: int) -> torch.Tensor:
    """The same seed gives the same batch on every machine (CPU generator)."""
    return torch.randn(n, latent_dim, generator=torch.Generator().manual_seed(seed))

