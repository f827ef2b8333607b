"""Shared fixtures: tiny synthetic photo folders, so tests never need the real data."""
from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
# One thread: 2-core machines, and OpenMP threads that outnumber free cores spin and thrash.
torch.set_num_threads(1)
SHARED = ROOT.parent / "shared" / "data"


def make_photos(folder: Path, n: int = 40, size: int = 48, seed: int = 0) -> Path:
    """`n` distinct smooth colour blobs, saved as PNGs."""
    rng = np.random.default_rng(seed)
    folder.mkdir(parents=True, exist_ok=True)
    yy, xx = np.mgrid[0:size, 0:size] / size
    for i in range(n):
        colour = rng.uniform(0, 255, 3)
        cx, cy = rng.uniform(0.3, 0.7, 2)
        blob = np.exp(-((xx - cx) ** 2 + (yy - cy) ** 2) * 8)[..., None]
        a = (blob * colour + (1 - blob) * 230).astype(np.uint8)
        Image.fromarray(a).save(folder / f"img{i:03d}.png")
    return folder


@pytest.fixture(autouse=True)
def decoded_cache(tmp_path_factory, monkeypatch) -> Path:
    """Each test gets its own decoded-data cache, never the user's ~/.cache."""
    folder = tmp_path_factory.mktemp("cache")
    monkeypatch.setenv("CAKEGAN_CACHE", str(folder))
    return folder


@pytest.fixture
def photos(tmp_path: Path) -> Path:
    return make_photos(tmp_path / "photos")


@pytest.fixture(scope="session")
def shared_cakes() -> Path:
    folder = SHARED / "crawled_cakes"
    if not folder.is_dir():
        pytest.skip("the shared carrot-cake photos are not here")
    return folder
