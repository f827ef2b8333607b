"""A tiny run directory for the app's tests, laid out by cakegan's own writers.

Training even two epochs costs many seconds on a busy 2-core machine, so the snapshots are
freshly initialised generators (one seed per epoch): real files, real loading, no mocks.
"""
from __future__ import annotations

import json
from pathlib import Path

import torch

from cakegan import ModelConfig, Run, TrainConfig, build_generator, save_snapshot
from cakegan.files import save_tensors, write_text
from cakegan.run import LOSS_COLUMNS
from cakegan.trainer import EpochStats

EPOCHS = (0, 10, 20, 30)


def make_run(folder: Path, name: str = "tiny", ema: bool = False) -> Path:
    """A run with snapshots at EPOCHS (and EMA twins with `ema`), fixed noise and losses."""
    config = TrainConfig(model=ModelConfig(), n_fixed=12, ema=0.999 if ema else 0.0)
    run = Run(folder / name)
    save_tensors(run.noise_path, {"z": torch.randn(config.n_fixed, config.model.latent_dim,
                                                   generator=torch.Generator().manual_seed(1))},
                 {"format": "cakegan-latents-1"})
    write_text(run.config_path, json.dumps({"train": config.to_dict(), "data": {}}))
    write_text(run.losses_path, ",".join(LOSS_COLUMNS) + "\n")
    for epoch in range(1, EPOCHS[-1] + 1):
        run.append_losses(EpochStats(epoch, 0.7 + 0.1 / epoch, 0.8 - 0.1 / epoch, 0.55, 0.45, 1.0))
    for epoch in EPOCHS:
        torch.manual_seed(epoch)
        g = build_generator(config.model)
        for twin in (False, True) if ema else (False,):
            save_snapshot(run.snapshot_path(epoch, ema=twin), g, epoch)
    return run.path
