"""Spec item 5: prove we can choose which weights a gradient step updates."""
from __future__ import annotations

import torch
from torch import nn


def partial_gradient_warmup(steps: int = 50, lr: float = 0.1, seed: int = 0) -> tuple[list[float], nn.Sequential]:
    """Two dense layers, pseudo-loss (mean(out) - 42)**2, SGD on the FIRST layer only.

    Returns the loss of every step (it falls) and the model (its second layer is untouched).
    """
    torch.manual_seed(seed)
    model = nn.Sequential(nn.Linear(3, 3), nn.Linear(3, 2))
    batch = torch.randn(8, 3)
    first = list(model[0].parameters())
    opt = torch.optim.SGD(first, lr=lr)
    losses = []
    for _ in range(steps):
        loss = (model(batch).mean() - 42.0) ** 2
        grads = torch.autograd.grad(loss, first)  # gradients of the first layer only
        for p, g in zip(first, grads):
            p.grad = g
        opt.step()
        losses.append(loss.item())
    return losses, model
