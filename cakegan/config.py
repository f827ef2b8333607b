"""Settings as plain data: what a run was trained with is what its config.json says."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Literal

Arch = Literal["transposed", "upsample"]
ARCHES: tuple[str, ...] = ("transposed", "upsample")
RESOLUTIONS: tuple[int, ...] = (32, 64)
DIFFAUGMENT_OPS: tuple[str, ...] = ("color", "translation", "cutout")


def parse_policy(policy: str) -> tuple[str, ...]:
    """'color,translation' -> ('color', 'translation'); '' -> () (off). One clear error for a typo."""
    ops = tuple(p.strip() for p in policy.split(",") if p.strip())
    unknown = [p for p in ops if p not in DIFFAUGMENT_OPS]
    if unknown:
        raise ValueError(f"Unknown DiffAugment operation {unknown[0]!r}: use a comma-separated "
                         f"subset of {', '.join(DIFFAUGMENT_OPS)}.")
    return ops


@dataclass(frozen=True)
class ModelConfig:
    """Names one architecture; the spec's model is the default."""

    arch: Arch = "transposed"
    resolution: int = 32

    def __post_init__(self) -> None:
        if self.arch not in ARCHES:
            raise ValueError(f"Unknown architecture {self.arch!r}: choose one of {', '.join(ARCHES)}.")
        if self.resolution not in RESOLUTIONS:
            raise ValueError(f"Unsupported resolution {self.resolution}: choose 32 or 64.")

    @property
    def latent_dim(self) -> int:
        # Spec item 13: the 64x64 model doubles the latent size as it doubles every width.
        return 64 if self.resolution == 32 else 128

    @property
    def width(self) -> int:
        """Channel multiplier: 1 for 32x32, 2 for 64x64."""
        return self.resolution // 32

    def to_dict(self) -> dict:
        return {**asdict(self), "latent_dim": self.latent_dim}


@dataclass
class TrainConfig:
    """Every knob of a training run. Defaults are the spec's numbers."""

    model: ModelConfig = field(default_factory=ModelConfig)
    epochs: int = 3000
    save_every: int = 50
    batch_size: int = 16
    lr_d: float = 1e-5
    lr_g: float = 1e-5
    beta1: float = 0.9
    beta2: float = 0.999
    label_noise: float = 0.05
    l2: float = 0.01
    dropout: float = 0.2
    augment: bool = False
    mirror: bool = False  # flip half the real photos left-right each step (StyleGAN's --mirror)
    diffaugment: str = ""  # e.g. "color,translation,cutout": augment what D sees, reals and fakes
    ema: float = 0.0  # 0 disables; e.g. 0.999 keeps an averaged generator as its own snapshot
    n_fixed: int = 36
    seed: int = 0
    device: str = "cpu"

    def __post_init__(self) -> None:
        parse_policy(self.diffaugment)  # a typo fails here, before any photo loads

    @property
    def diffaugment_ops(self) -> tuple[str, ...]:
        return parse_policy(self.diffaugment)

    def to_dict(self) -> dict:
        d = asdict(self)
        d["model"] = self.model.to_dict()
        return d

    @classmethod
    def from_dict(cls, d: dict) -> "TrainConfig":
        d = dict(d)
        m = d.pop("model")
        known = set(cls.__dataclass_fields__)
        return cls(model=ModelConfig(arch=m["arch"], resolution=m["resolution"]),
                   **{k: v for k, v in d.items() if k in known})
