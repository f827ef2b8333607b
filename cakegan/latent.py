"""Spec items 10.9 and 12: latent vectors kept on disk, and paths between two of them."""
from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Literal

import torch

from .files import read_tensors, save_tensors
from .snapshot import SNAPSHOT_FORMAT, snapshot_info

LATENT_FORMAT = "cakegan-latent-1"


def _check_vector(z: torch.Tensor, name: str) -> torch.Tensor:
    if not torch.is_tensor(z) or z.dim() != 1 or not z.is_floating_point():
        raise ValueError(f"{name} must be one latent vector (a 1-D float tensor).")
    if not torch.isfinite(z).all():
        raise ValueError(f"{name} holds NaN or infinite values.")
    return z.detach().float().cpu()


def interpolate(z_a: torch.Tensor, z_b: torch.Tensor, steps: int = 10,
                mode: Literal["linear", "slerp"] = "linear") -> torch.Tensor:
    """(steps, latent_dim) from z_a to z_b; the first row is exactly z_a, the last exactly z_b.

    "slerp" walks the great circle between the directions while the length changes linearly,
    so no frame falls into the low-norm middle of the Gaussian that the generator rarely saw.
    """
    a, b = _check_vector(z_a, "z_a"), _check_vector(z_b, "z_b")
    if a.shape != b.shape:
        raise ValueError(f"The two latent vectors differ in length ({a.numel()} and {b.numel()}).")
    if steps < 2:
        raise ValueError(f"An interpolation needs at least 2 steps (got {steps}).")
    if mode not in ("linear", "slerp"):
        raise ValueError(f"Unknown interpolation mode {mode!r}: choose linear or slerp.")
    t = torch.linspace(0, 1, steps)[:, None]
    if mode == "linear":
        path = torch.lerp(a, b, t)
    else:
        na, nb = a.norm(), b.norm()
        if na == 0 or nb == 0:
            raise ValueError("slerp needs two non-zero latent vectors.")
        ua, ub = a / na, b / nb
        omega = torch.arccos(torch.dot(ua, ub).clamp(-1, 1))
        if torch.sin(omega) < 1e-6:
            if omega > 1:
                raise ValueError("The two latent vectors point in opposite directions: slerp has no "
                                 "single path between them; use linear.")
            direction = torch.lerp(ua, ub, t)  # (nearly) the same direction: no arc to follow
        else:
            direction = (torch.sin((1 - t) * omega) * ua + torch.sin(t * omega) * ub) / torch.sin(omega)
        direction = direction / direction.norm(dim=1, keepdim=True)
        path = direction * torch.lerp(na, nb, t)
    path[0], path[-1] = a, b
    return path


def _file_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:16]


def save_latent(path: str | Path, z: torch.Tensor, snapshot: str | Path, overwrite: bool = False,
                **meta: object) -> Path:
    """One latent vector with the snapshot it belongs to (name, epoch, content hash) and `meta`."""
    z = _check_vector(z, "z")
    snapshot = Path(snapshot)
    info = snapshot_info(snapshot)
    if info.get("format") != SNAPSHOT_FORMAT:
        raise ValueError(f"{snapshot.name} is not a cakegan generator snapshot.")
    if info.get("latent_dim") != str(z.numel()):
        raise ValueError(f"This vector has {z.numel()} numbers but {snapshot.name} takes "
                         f"{info.get('latent_dim')}: it cannot belong to that snapshot.")
    record = {k: str(v) for k, v in meta.items()}
    record |= {"format": LATENT_FORMAT, "snapshot": snapshot.name, "snapshot_sha256": _file_digest(snapshot),
               "epoch": info.get("epoch", ""), "latent_dim": str(z.numel())}
    return save_tensors(path, {"z": z}, record, overwrite=overwrite)


def belongs_to(meta: dict[str, str], snapshot: str | Path) -> bool:
    """Whether a loaded vector was found with exactly this snapshot file."""
    return meta.get("snapshot_sha256") == _file_digest(Path(snapshot))


def load_latent(path: str | Path) -> tuple[torch.Tensor, dict[str, str]]:
    """(z, metadata) from a file written by `save_latent`; ValueError for anything else."""
    path = Path(path)
    tensors, meta = read_tensors(path)
    if meta.get("format") != LATENT_FORMAT or set(tensors) != {"z"}:
        raise ValueError(f"{path.name} is not a cakegan latent vector file.")
    z = tensors["z"]
    if z.dim() != 1 or str(z.numel()) != meta.get("latent_dim"):
        raise ValueError(f"{path.name} holds a tensor of shape {tuple(z.shape)}, not the "
                         f"{meta.get('latent_dim')}-number vector its metadata promises.")
    return _check_vector(z, path.name), meta
