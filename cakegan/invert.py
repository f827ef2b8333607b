"""Spec items 10-11: find the latent vector whose image best imitates a target.

Only z is optimised (MSE between G(z) and the target; SGD with momentum, or Adam); the generator's
weights are read, never written. Several random starts, and several targets, run as one batch.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Sequence

import torch
from PIL import Image
from torch import nn

from .data import open_image, prepare

Target = Image.Image | str | Path | torch.Tensor
Callback = Callable[[int, float, torch.Tensor], "bool | None"]

# Measured on 20 held-out photos (docs/latent.md): the spec's lr 0.01 barely moves z, because
# the gradient of a per-pixel mean squared error w.r.t. z is tiny; lr 10 reaches the plateau
# within 300 steps. The ramp did not help plain SGD there; the sphere trades PSNR for a z the
# generator saw in training (|z| ~ sqrt(latent_dim)), which keeps interpolations natural.
# "adam" is the search the shipped-model issue's calibration figures were measured with.
RECIPES: dict[str, dict] = {
    "default": {"label": "default: SGD lr 10, momentum 0.9", "optimizer": "sgd",
                "lr": 10.0, "momentum": 0.9, "lr_ramp": False, "sphere": False},
    "spec": {"label": "spec: SGD lr 0.01, momentum 0.9", "optimizer": "sgd",
             "lr": 0.01, "momentum": 0.9, "lr_ramp": False, "sphere": False},
    "sphere": {"label": "SGD lr 10, momentum 0.9, z kept on the sphere |z| = sqrt(latent_dim)",
               "optimizer": "sgd", "lr": 10.0, "momentum": 0.9, "lr_ramp": False, "sphere": True},
    "adam": {"label": "Adam lr 0.05", "optimizer": "adam",
             "lr": 0.05, "momentum": 0.0, "lr_ramp": False, "sphere": False},
}
_DEFAULT = RECIPES["default"]
MAX_FRAMES = 24
# The generator's arithmetic during the search. bfloat16 (autocast; z, the loss and the kept
# images stay float32): 1.4x faster at batch 1 and 1.8x with 8 restarts on an AVX512-BF16 CPU,
# same held-out PSNR (17.744 vs 17.740 dB, 20 photos, 300 steps); on CPUs without native
# bfloat16 it is slower, so callers choose it with `cakegan.cpu.native_bfloat16()`.
PRECISIONS = ("float32", "bfloat16")


@dataclass
class Inversion:
    """The best imitation found, and how the search got there."""

    z: torch.Tensor              # (latent_dim,)
    image: torch.Tensor          # (3, R, R) = G(z)
    losses: list[float]          # best restart's MSE at every step run
    frames: list[torch.Tensor]   # the winning start's images, from random to best
    target: torch.Tensor         # (3, R, R) in [-1, 1], as compared
    psnr: float                  # dB, image vs target
    steps_run: int
    stopped: bool                # the callback ended the search early

    @property
    def mse(self) -> float:
        return float((self.image - self.target).square().mean())


def psnr(a: torch.Tensor, b: torch.Tensor) -> float:
    """Peak signal-to-noise ratio in dB of two images in [-1, 1] (peak-to-peak 2)."""
    if a.shape != b.shape:
        raise ValueError(f"PSNR needs two images of the same shape, got {tuple(a.shape)} and "
                         f"{tuple(b.shape)}.")
    mse = float((a.detach().float() - b.detach().float()).square().mean())
    return math.inf if mse == 0 else 10 * math.log10(4.0 / mse)


def as_target(target: Target, resolution: int) -> torch.Tensor:
    """A PIL image, a file path or a (3, R, R) tensor in [-1, 1] -> (3, R, R), as training data."""
    if isinstance(target, (str, Path)):
        target = open_image(target)
    if isinstance(target, Image.Image):
        return prepare(target, resolution)
    if not torch.is_tensor(target):
        raise ValueError("The target must be an image, a file path or a tensor, not "
                         f"{type(target).__name__}.")
    if tuple(target.shape) != (3, resolution, resolution):
        raise ValueError(f"The target tensor has shape {tuple(target.shape)}; this generator needs "
                         f"(3, {resolution}, {resolution}).")
    t = target.detach().float().cpu()
    if not torch.isfinite(t).all() or t.min() < -1 or t.max() > 1:
        raise ValueError("The target tensor must hold finite values in [-1, 1].")
    return t


def ramp(t: float) -> float:
    """StyleGAN2 projector's learning-rate factor at progress t in [0, 1): 5% warm-up, 25% cosine fall."""
    down = 0.5 - 0.5 * math.cos(min(1.0, (1.0 - t) / 0.25) * math.pi)
    return down * min(1.0, t / 0.05)


def frame_steps(steps: int, count: int = MAX_FRAMES - 1) -> set[int]:
    """Steps whose images become frames: dense early, where the picture changes most."""
    return {0} | {round(steps ** (i / (count - 1))) - 1 for i in range(count)}


def _settings(recipe: str | None, lr: float, momentum: float, lr_ramp: bool, sphere: bool) -> dict:
    given = {"lr": lr, "momentum": momentum, "lr_ramp": lr_ramp, "sphere": sphere}
    if recipe is None:
        return {**given, "optimizer": "sgd"}
    if recipe not in RECIPES:
        raise ValueError(f"Unknown inversion recipe {recipe!r}: choose one of {', '.join(RECIPES)}.")
    if any(given[k] != _DEFAULT[k] for k in given):
        raise ValueError("Give either a recipe or lr/momentum/lr_ramp/sphere, not both.")
    return {k: RECIPES[recipe][k] for k in [*given, "optimizer"]}


def invert_batch(generator: nn.Module, targets: Sequence[Target], *, steps: int = 300,
                 lr: float = _DEFAULT["lr"], momentum: float = _DEFAULT["momentum"],
                 restarts: int = 1, lr_ramp: bool = _DEFAULT["lr_ramp"], sphere: bool = _DEFAULT["sphere"],
                 recipe: str | None = None, seed: int | None = None, precision: str = "float32",
                 callback: Callable[[int, torch.Tensor, torch.Tensor], bool | None] | None = None,
                 ) -> list[Inversion]:
    """Invert many targets at once (one batch of targets x restarts); see `invert`.

    `callback(step, best_losses (T,), best_images (T, 3, R, R))`; returning False stops.
    """
    if steps < 1 or restarts < 1:
        raise ValueError(f"steps and restarts must be at least 1 (got {steps} and {restarts}).")
    if len(targets) == 0:
        raise ValueError("Give at least one target image to invert.")
    if precision not in PRECISIONS:
        raise ValueError(f"Unknown precision {precision!r}: choose {' or '.join(PRECISIONS)}.")
    opt = _settings(recipe, lr, momentum, lr_ramp, sphere)
    device = next(generator.parameters()).device
    res, dim = generator.resolution, generator.latent_dim
    goal = torch.stack([as_target(t, res) for t in targets]).to(device)  # (T, 3, R, R)
    n = len(goal)
    rng = torch.Generator().manual_seed(seed) if seed is not None else None
    z = torch.randn(n, restarts, dim, generator=rng).to(device).requires_grad_(True)
    radius = math.sqrt(dim)
    if opt["sphere"]:
        with torch.no_grad():
            z *= radius / z.norm(dim=-1, keepdim=True)
    lr, momentum = opt["lr"], opt["momentum"]
    adam = torch.optim.Adam([z], lr=lr) if opt["optimizer"] == "adam" else None
    velocity = torch.zeros_like(z)  # SGD: torch.optim.SGD's momentum (no dampening), minus its per-step overhead

    best_loss = torch.full((n,), math.inf, device=device)
    best_z = torch.zeros(n, dim, device=device)
    best_image = torch.zeros_like(goal)
    best_restart = torch.zeros(n, dtype=torch.long, device=device)
    rows = torch.arange(n, device=device)
    losses: list[torch.Tensor] = []
    frames: list[torch.Tensor] = []  # (T, K, 3, R, R) at each frame step
    keep = frame_steps(steps)
    stopped = False
    was_training = generator.training
    generator.eval()  # BatchNorm must use its running statistics and leave them alone
    try:
        for step in range(steps):
            with torch.autocast(device.type, dtype=torch.bfloat16, enabled=precision == "bfloat16"):
                out = generator(z.view(n * restarts, dim))
            out = out.float().view(n, restarts, 3, res, res)
            per = (out - goal[:, None]).square().mean(dim=(2, 3, 4))  # (T, K)
            (grad,) = torch.autograd.grad(per.sum(), [z])  # z only: no weight gradients at all
            with torch.no_grad():
                low, k = per.min(dim=1)
                better = low < best_loss
                best_loss = torch.where(better, low, best_loss)
                best_z = torch.where(better[:, None], z[rows, k], best_z)
                best_image = torch.where(better[:, None, None, None], out[rows, k], best_image)
                best_restart = torch.where(better, k, best_restart)
                losses.append(low)
                if step in keep:
                    frames.append(out.detach().cpu())
                step_lr = lr * ramp(step / steps) if opt["lr_ramp"] else lr
                if adam is None:
                    velocity.mul_(momentum).add_(grad)
                    z.sub_(velocity, alpha=step_lr)
                else:
                    adam.param_groups[0]["lr"] = step_lr
                    z.grad = grad
                    adam.step()
                if opt["sphere"]:
                    z *= radius / z.norm(dim=-1, keepdim=True)
            if callback is not None and callback(step + 1, best_loss.cpu(), best_image.cpu()) is False:
                stopped = True
                break
    finally:
        generator.train(was_training)

    history = torch.stack(losses).cpu()  # (steps_run, T)
    results = []
    for t in range(n):
        image = best_image[t].cpu()
        trail = [f[t, int(best_restart[t])] for f in frames] + [image]
        results.append(Inversion(z=best_z[t].cpu(), image=image, losses=history[:, t].tolist(),
                                 frames=trail, target=goal[t].cpu(), psnr=psnr(image, goal[t].cpu()),
                                 steps_run=len(losses), stopped=stopped))
    return results


def invert(generator: nn.Module, target: Target, *, steps: int = 300, lr: float = _DEFAULT["lr"],
           momentum: float = _DEFAULT["momentum"], restarts: int = 1, lr_ramp: bool = _DEFAULT["lr_ramp"],
           sphere: bool = _DEFAULT["sphere"], recipe: str | None = None, seed: int | None = None,
           precision: str = "float32", callback: Callback | None = None) -> Inversion:
    """Find z with G(z) closest to `target` (MSE); the generator's weights stay bit-identical.

    `recipe` names an entry of RECIPES and replaces lr/momentum/lr_ramp/sphere. `lr_ramp` is the
    StyleGAN2 projector's warm-up and cosine ramp-down; `sphere` keeps |z| = sqrt(latent_dim).
    `precision` "bfloat16" runs the generator in bfloat16 (see PRECISIONS).
    `callback(step, loss, best_image)` runs after every step (1-based); returning False stops
    the search there, keeping the best so far (the app's Stop button).
    """
    hook = None if callback is None else (lambda step, loss, image: callback(step, float(loss[0]), image[0]))
    return invert_batch(generator, [target], steps=steps, lr=lr, momentum=momentum, restarts=restarts,
                        lr_ramp=lr_ramp, sphere=sphere, recipe=recipe, seed=seed, precision=precision,
                        callback=hook)[0]
