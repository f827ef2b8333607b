"""Generator snapshots and full training checkpoints, safetensors only (never pickle)."""
from __future__ import annotations

import json
from pathlib import Path

import torch

from .config import ModelConfig
from .cpu import fast_layout
from .files import read_tensors, save_tensors
from .models import _Generator, build_generator

SNAPSHOT_FORMAT = "cakegan-generator-1"
CHECKPOINT_FORMAT = "cakegan-checkpoint-1"


def save_snapshot(path: str | Path, generator: _Generator, epoch: int,
                  dtype: torch.dtype = torch.float32, extra: dict[str, str] | None = None) -> Path:
    """The generator alone, with metadata that rebuilds it: what the app and tools load."""
    cfg = generator.config
    meta = {"format": SNAPSHOT_FORMAT, "epoch": str(epoch), "arch": cfg.arch,
            "resolution": str(cfg.resolution), "latent_dim": str(cfg.latent_dim), **(extra or {})}
    tensors = {k: (v.to(dtype) if v.is_floating_point() else v) for k, v in generator.state_dict().items()}
    return save_tensors(path, tensors, meta)


def snapshot_info(path: str | Path) -> dict[str, str]:
    """The metadata only (cheap: no weights are read)."""
    return read_tensors(path, metadata_only=True)[1]


def load_generator(path: str | Path) -> _Generator:
    """Rebuild a generator from its snapshot: eval mode, CPU, float32, no gradients.

    Raises ValueError with a sentence a person can act on for anything that is not one.
    """
    path = Path(path)
    tensors, meta = read_tensors(path)
    if meta.get("format") != SNAPSHOT_FORMAT:
        raise ValueError(f"{path.name} is not a cakegan generator snapshot (no cakegan metadata): "
                         "choose a file from a run's snapshots/ folder or pretrained/.")
    try:
        config = ModelConfig(arch=meta["arch"], resolution=int(meta["resolution"]))  # type: ignore[arg-type]
    except (KeyError, ValueError) as e:
        raise ValueError(f"{path.name} has broken metadata ({e}): re-export the snapshot.") from None
    generator = build_generator(config)
    expected = generator.state_dict()
    if set(tensors) != set(expected):
        raise ValueError(f"{path.name} does not hold the weights of a {config.arch} {config.resolution}px "
                         "generator (wrong or missing layers): re-export the snapshot.")
    for k, v in tensors.items():
        if v.shape != expected[k].shape:
            raise ValueError(f"{path.name}: layer {k} has shape {tuple(v.shape)}, expected "
                             f"{tuple(expected[k].shape)}: the file does not match its metadata.")
        if v.is_floating_point() and not torch.isfinite(v).all():
            raise ValueError(f"{path.name}: layer {k} holds NaN or infinite weights: this snapshot "
                             "comes from a diverged run; choose an earlier epoch.")
    generator.load_state_dict({k: v.to(expected[k].dtype) for k, v in tensors.items()})
    generator.epoch = int(meta.get("epoch", -1))  # type: ignore[attr-defined]
    generator.eval().requires_grad_(False)
    return fast_layout(generator)


def _flatten_optimizer(prefix: str, opt: torch.optim.Optimizer) -> tuple[dict[str, torch.Tensor], str]:
    sd = opt.state_dict()
    tensors = {}
    for idx, state in sd["state"].items():
        for name, value in state.items():
            tensors[f"{prefix}.{idx}.{name}"] = value if torch.is_tensor(value) else torch.tensor(value)
    return tensors, json.dumps(sd["param_groups"])


def _unflatten_optimizer(prefix: str, tensors: dict[str, torch.Tensor], groups: str) -> dict:
    state: dict[int, dict] = {}
    for key, value in tensors.items():
        if key.startswith(prefix + "."):
            _, idx, name = key.split(".", 2)
            state.setdefault(int(idx), {})[name] = value
    return {"state": state, "param_groups": json.loads(groups)}


def save_checkpoint(path: str | Path, *, epoch: int, generator: torch.nn.Module,
                    discriminator: torch.nn.Module, opt_g: torch.optim.Optimizer,
                    opt_d: torch.optim.Optimizer, ema: torch.nn.Module | None = None) -> Path:
    """Everything needed to resume bit-identically: both models, both Adam states, RNG, epoch."""
    tensors = {f"G.{k}": v for k, v in generator.state_dict().items()}
    tensors |= {f"D.{k}": v for k, v in discriminator.state_dict().items()}
    if ema is not None:
        tensors |= {f"EMA.{k}": v for k, v in ema.state_dict().items()}
    og, og_groups = _flatten_optimizer("optG", opt_g)
    od, od_groups = _flatten_optimizer("optD", opt_d)
    tensors |= og | od
    tensors["rng.torch"] = torch.get_rng_state()
    meta = {"format": CHECKPOINT_FORMAT, "epoch": str(epoch), "optG_groups": og_groups,
            "optD_groups": od_groups}
    return save_tensors(path, {k: v.clone() for k, v in tensors.items()}, meta)


def load_checkpoint(path: str | Path, *, generator: torch.nn.Module, discriminator: torch.nn.Module,
                    opt_g: torch.optim.Optimizer, opt_d: torch.optim.Optimizer,
                    ema: torch.nn.Module | None = None) -> int:
    """Restore a checkpoint in place (models, optimisers, RNG); returns its epoch."""
    path = Path(path)
    tensors, meta = read_tensors(path)
    if meta.get("format") != CHECKPOINT_FORMAT:
        raise ValueError(f"{path.name} is not a cakegan training checkpoint.")

    def part(prefix: str) -> dict[str, torch.Tensor]:
        return {k[len(prefix):]: v for k, v in tensors.items() if k.startswith(prefix)}

    try:
        generator.load_state_dict(part("G."))
        discriminator.load_state_dict(part("D."))
        if ema is not None:
            ema.load_state_dict(part("EMA.") or part("G."))
        opt_g.load_state_dict(_unflatten_optimizer("optG", tensors, meta["optG_groups"]))
        opt_d.load_state_dict(_unflatten_optimizer("optD", tensors, meta["optD_groups"]))
    except (RuntimeError, KeyError) as e:
        raise ValueError(f"{path.name} does not match this run's architecture ({str(e)[:200]}).") from None
    torch.set_rng_state(tensors["rng.torch"])
    return int(meta["epoch"])
