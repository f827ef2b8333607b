"""The run directory: the only contract between the trainer and everything else.

    config.json                 every setting, the data summary, the architecture
    fixed_noise.safetensors     the fixed latent vectors, written once
    losses.csv                  epoch,d_loss,g_loss,d_real,d_fake,seconds
    snapshots/generator-epoch-00050.safetensors      (and generator-ema-epoch-... with --ema)
    checkpoints/epoch-00050.safetensors
    samples/epoch-00050.png
"""
from __future__ import annotations

import csv
import io
import json
import os
import re
from pathlib import Path

import torch

from .files import read_tensors, save_tensors, write_atomic, write_text
from .images import grid
from .snapshot import load_checkpoint, save_checkpoint, save_snapshot
from .trainer import EpochStats, Trainer

LOSS_COLUMNS = ["epoch", "d_loss", "g_loss", "d_real", "d_fake", "seconds"]
_EPOCH_RE = re.compile(r"epoch-(\d+)\.safetensors$")


class RunError(ValueError):
    """A run directory that cannot be used as asked; the message says what to do."""


class Run:
    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)

    config_path = property(lambda self: self.path / "config.json")
    noise_path = property(lambda self: self.path / "fixed_noise.safetensors")
    losses_path = property(lambda self: self.path / "losses.csv")

    def snapshot_path(self, epoch: int, ema: bool = False) -> Path:
        return self.path / "snapshots" / f"generator-{'ema-' if ema else ''}epoch-{epoch:05d}.safetensors"

    def checkpoint_path(self, epoch: int) -> Path:
        return self.path / "checkpoints" / f"epoch-{epoch:05d}.safetensors"

    def sample_path(self, epoch: int) -> Path:
        return self.path / "samples" / f"epoch-{epoch:05d}.png"

    def exists(self) -> bool:
        return self.config_path.exists()

    def config(self) -> dict:
        return json.loads(self.config_path.read_text())

    def _epochs(self, folder: str, prefix: str) -> list[int]:
        d = self.path / folder
        if not d.is_dir():
            return []
        return sorted(int(m.group(1)) for p in d.glob(f"{prefix}epoch-*.safetensors")
                      if (m := _EPOCH_RE.search(p.name)))

    def snapshot_epochs(self, ema: bool = False) -> list[int]:
        return self._epochs("snapshots", "generator-ema-" if ema else "generator-")

    def checkpoint_epochs(self) -> list[int]:
        return self._epochs("checkpoints", "")

    def fixed_noise(self) -> torch.Tensor:
        return read_tensors(self.noise_path)[0]["z"]

    def losses(self) -> list[dict[str, float]]:
        """Complete rows of losses.csv (a row cut short by a crash is ignored)."""
        if not self.losses_path.exists():
            return []
        rows = []
        with open(self.losses_path, newline="") as f:
            for row in csv.DictReader(f):
                try:
                    rows.append({k: float(row[k]) for k in LOSS_COLUMNS})
                except (TypeError, ValueError, KeyError):
                    continue
        return rows

    # --- writing (the trainer's side) -------------------------------------------------------

    def create(self, trainer: Trainer, data_summary: dict) -> None:
        if self.exists():
            raise RunError(f"{self.path} already holds a run: use --resume to continue it, or "
                           "choose a new --out folder.")
        self.path.mkdir(parents=True, exist_ok=True)
        c = trainer.config
        g = torch.Generator().manual_seed(c.seed + 1)  # its own RNG: does not disturb training
        z = torch.randn(c.n_fixed, c.model.latent_dim, generator=g)
        save_tensors(self.noise_path, {"z": z}, {"format": "cakegan-latents-1"})
        write_text(self.config_path, json.dumps({"train": c.to_dict(), "data": data_summary}, indent=2))
        write_text(self.losses_path, ",".join(LOSS_COLUMNS) + "\n")
        self.save(trainer)

    def resume(self, trainer: Trainer) -> int:
        """Restore the newest checkpoint and cut losses.csv back to it; returns its epoch."""
        epochs = self.checkpoint_epochs()
        if not epochs:
            raise RunError(f"{self.path} has no checkpoint to resume from.")
        epoch = load_checkpoint(self.checkpoint_path(epochs[-1]), generator=trainer.generator,
                                discriminator=trainer.discriminator, opt_g=trainer.opt_g,
                                opt_d=trainer.opt_d, ema=trainer.ema)
        trainer.epoch = epoch
        rows = [r for r in self.losses() if r["epoch"] <= epoch]
        write_text(self.losses_path, self._csv(rows, header=True), overwrite=True)
        return epoch

    @staticmethod
    def _csv(rows: list[dict], header: bool = False) -> str:
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        if header:
            w.writerow(LOSS_COLUMNS)
        for r in rows:
            w.writerow([int(r["epoch"])] + [f"{r[k]:.6g}" for k in LOSS_COLUMNS[1:]])
        return buf.getvalue()

    def append_losses(self, stats: EpochStats) -> None:
        with open(self.losses_path, "a") as f:
            f.write(self._csv([stats.__dict__]))
            f.flush()
            os.fsync(f.fileno())

    def save(self, trainer: Trainer) -> None:
        """Snapshot(s), sample grid, then the checkpoint last: a checkpoint implies the rest.

        A file that already exists came from the identical trajectory before a crash: kept as is.
        """
        epoch = trainer.epoch
        nets = [(trainer.generator, False)] + ([(trainer.ema, True)] if trainer.ema is not None else [])
        for net, ema in nets:
            if not self.snapshot_path(epoch, ema).exists():
                save_snapshot(self.snapshot_path(epoch, ema), net, epoch,
                              extra={"ema": str(trainer.config.ema)} if ema else None)
        if not self.sample_path(epoch).exists():
            picture = grid(self.render(trainer.snapshot_generator(), self.fixed_noise()), nrow=6, scale=2)
            write_atomic(self.sample_path(epoch), lambda tmp: picture.save(tmp, format="PNG"))
        if not self.checkpoint_path(epoch).exists():
            save_checkpoint(self.checkpoint_path(epoch), epoch=epoch, generator=trainer.generator,
                            discriminator=trainer.discriminator, opt_g=trainer.opt_g,
                            opt_d=trainer.opt_d, ema=trainer.ema)

    @staticmethod
    @torch.no_grad()
    def render(generator: torch.nn.Module, z: torch.Tensor) -> torch.Tensor:
        was_training = generator.training
        generator.eval()
        try:
            return generator(z.to(next(generator.parameters()).device)).cpu()
        finally:
            generator.train(was_training)


class Recorder:
    """End-of-epoch callback (spec item 8): log every epoch, save every `save_every` and at the end."""

    def __init__(self, run: Run, save_every: int, last_epoch: int) -> None:
        self.run, self.save_every, self.last_epoch = run, save_every, last_epoch

    def on_epoch_end(self, trainer: Trainer, stats: EpochStats) -> None:
        self.run.append_losses(stats)
        if stats.epoch % self.save_every == 0 or stats.epoch == self.last_epoch or trainer.stop_requested:
            self.run.save(trainer)
