"""The networks of the spec (items 1, 2 and 13), one class each."""
from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from .config import ModelConfig


class Discriminator(nn.Module):
    """32x32 (or 64x64) RGB -> probability "real" (spec item 1).

    `forward` returns logits so the loss can use the numerically stable BCE; `probability`
    is what the spec's sigmoid output means.
    """

    def __init__(self, config: ModelConfig = ModelConfig(), dropout: float = 0.2) -> None:
        super().__init__()
        w = config.width
        chans = [3, 32 * w, 64 * w, 64 * w]
        blocks = []
        for cin, cout in zip(chans[:-1], chans[1:]):
            blocks += [nn.Conv2d(cin, cout, 4, stride=2, padding=1),
                       nn.BatchNorm2d(cout), nn.LeakyReLU(0.2)]
        self.features = nn.Sequential(*blocks)
        side = config.resolution // 8
        self.head = nn.Sequential(nn.Flatten(), nn.Dropout(dropout), nn.Linear(chans[-1] * side * side, 1))
        self.resolution = config.resolution
        keras_init_(self)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.features(x)).squeeze(1)

    def probability(self, x: torch.Tensor) -> torch.Tensor:
        return torch.sigmoid(self(x))

    def conv_weights(self) -> list[torch.Tensor]:
        return [m.weight for m in self.modules() if isinstance(m, nn.Conv2d)]

    def l2_penalty(self, strength: float) -> torch.Tensor:
        """Keras `kernel_regularizer=l2(strength)`: strength * sum(w**2) per conv layer."""
        return strength * sum((w * w).sum() for w in self.conv_weights())


class _StrideOneDeconv(torch.autograd.Function):
    """Stride-1 transposed conv to a few channels, computed the way the CPU runs it fastest.

    Forward: one (3*k*k x C) @ (C x pixels) product + col2im (`fold`), ~2x oneDNN's own forward,
    which reaches only ~40 GFLOP/s with 3 output channels. Input gradient: a plain conv of the
    3-channel gradient (oneDNN's fast first-layer case). Weight gradients, needed in training
    only: oneDNN's backward. Measured in README, "Performance".
    """

    @staticmethod
    def forward(ctx, x: torch.Tensor, weight: torch.Tensor, bias: torch.Tensor, padding: int) -> torch.Tensor:
        ctx.save_for_backward(x, weight)
        ctx.padding = padding
        n, c, h, w = x.shape
        pixels = x.permute(0, 2, 3, 1).reshape(n, h * w, c).transpose(1, 2)  # a view if channels_last
        cols = torch.matmul(weight.reshape(c, -1).t(), pixels)  # (N, out*k*k, H*W)
        out = F.fold(cols, (h, w), weight.shape[-1], padding=padding)
        return (out + bias.view(1, -1, 1, 1)).contiguous(memory_format=torch.channels_last)

    @staticmethod
    def backward(ctx, grad: torch.Tensor) -> tuple:
        x, weight = ctx.saved_tensors
        grad = grad.contiguous(memory_format=torch.channels_last)
        need_x, need_w, need_b = ctx.needs_input_grad[:3]
        grad_x = F.conv2d(grad, weight, padding=ctx.padding) if need_x else None
        grad_w = grad_b = None
        if need_w or need_b:
            _, grad_w, grad_b = torch.ops.aten.convolution_backward(
                grad, x, weight, [weight.shape[1]], [1, 1], [ctx.padding] * 2, [1, 1], True, [0, 0], 1,
                [False, need_w, need_b])
        return grad_x, grad_w, grad_b, None


class OutputConv(nn.Conv2d):
    """The generators' final stride-1 "same" conv; on the CPU computed as the equivalent transposed conv.

    Same weights, same result up to float rounding (a stride-1 conv is a transposed conv with
    the kernel flipped and its channel axes swapped), which `_StrideOneDeconv` computes fast:
    forward + backward at batch 16, 256 -> 3 channels, 32x32, 2 threads: 34 ms as a conv, 22 as
    oneDNN's transposed conv, 15 as `_StrideOneDeconv`.
    """

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if x.device.type != "cpu":  # the detour pays off on the CPU only; elsewhere the plain conv
            return super().forward(x)
        weight = self.weight.transpose(0, 1).flip(2, 3)
        return _StrideOneDeconv.apply(x, weight, self.bias, self.padding[0])


class _Generator(nn.Module):
    """Shared start of both generators: Dense latent -> (C, S, S), no activation."""

    def __init__(self, config: ModelConfig, body: nn.Module) -> None:
        super().__init__()
        self.config = config
        self.latent_dim = config.latent_dim
        self.resolution = config.resolution
        self.start_channels = 64 * config.width
        self.start_side = config.resolution // 8
        self.dense = nn.Linear(self.latent_dim, self.start_channels * self.start_side**2)
        self.body = body

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        x = self.dense(z).view(-1, self.start_channels, self.start_side, self.start_side)
        return self.body(x)


class Generator(_Generator):
    """Spec item 2: Dense -> 3 x [ConvTranspose 4x4/2 -> LeakyReLU] -> Conv 5x5 -> tanh."""

    def __init__(self, config: ModelConfig = ModelConfig()) -> None:
        w = config.width
        chans = [64 * w, 64 * w, 128 * w, 256 * w]
        layers: list[nn.Module] = []
        for cin, cout in zip(chans[:-1], chans[1:]):
            layers += [nn.ConvTranspose2d(cin, cout, 4, stride=2, padding=1), nn.LeakyReLU(0.2)]
        layers += [OutputConv(chans[-1], 3, 5, padding=2), nn.Tanh()]
        super().__init__(config, nn.Sequential(*layers))


class UpsampleGenerator(_Generator):
    """Spec item 13: nearest upsample + two 3x3 conv/BN/LeakyReLU per block; no checkerboards."""

    def __init__(self, config: ModelConfig = ModelConfig(arch="upsample")) -> None:
        w = config.width
        chans = [64 * w, 32 * w, 64 * w, 128 * w]
        layers: list[nn.Module] = []
        for cin, cout in zip(chans[:-1], chans[1:]):
            layers.append(nn.Upsample(scale_factor=2, mode="nearest"))
            for c in (cin, cout):
                layers += [nn.Conv2d(c, cout, 3, padding=1), nn.BatchNorm2d(cout), nn.LeakyReLU(0.2)]
        layers += [OutputConv(chans[-1], 3, 5, padding=2), nn.Tanh()]
        super().__init__(config, nn.Sequential(*layers))


def keras_init_(model: nn.Module) -> nn.Module:
    """Keras defaults (glorot-uniform weights, zero biases), as the spec's recipe assumed.

    PyTorch's default init is ~1.7x smaller per layer; through the generator's five
    unnormalised layers the first images come out ~15x flatter and training starts far slower.
    """
    for m in model.modules():
        if isinstance(m, (nn.Conv2d, nn.ConvTranspose2d, nn.Linear)):
            nn.init.xavier_uniform_(m.weight)
            nn.init.zeros_(m.bias)
    return model


def build_generator(config: ModelConfig) -> _Generator:
    g = Generator(config) if config.arch == "transposed" else UpsampleGenerator(config)
    return keras_init_(g)


def count_parameters(model: nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())
