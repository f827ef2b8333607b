"""cakegan: a DCGAN for a few hundred 32x32 photos of one class, and tools to explore it."""
from .config import ModelConfig, TrainConfig
from .data import DataError, ImageSet, load_folder, open_image, prepare
from .invert import Inversion, invert
from .latent import interpolate, load_latent, save_latent
from .models import Discriminator, Generator, UpsampleGenerator, build_generator, count_parameters
from .run import Run, RunError
from .snapshot import load_generator, save_snapshot
from .trainer import Trainer, TrainingDiverged
from .warmup import partial_gradient_warmup

__all__ = [
    "ModelConfig", "TrainConfig", "DataError", "ImageSet", "load_folder", "open_image", "prepare",
    "Discriminator", "Generator", "UpsampleGenerator", "build_generator", "count_parameters",
    "Run", "RunError", "load_generator", "save_snapshot", "Trainer", "TrainingDiverged",
    "partial_gradient_warmup",
    "Inversion", "invert", "interpolate", "load_latent", "save_latent",
]
