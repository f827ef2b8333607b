"""Train the DCGAN on a folder of photos into a run directory (resumable, crash-safe).

    python scripts/train.py --data ../shared/data/crawled_cakes --out runs/cakes
"""
from __future__ import annotations

import argparse
import signal
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import torch  # noqa: E402
from tqdm import tqdm  # noqa: E402

from cakegan.cli import run_main  # noqa: E402
from cakegan import (ModelConfig, Run, RunError, TrainConfig, Trainer,  # noqa: E402
                     TrainingDiverged, count_parameters, load_folder)
from cakegan.config import ARCHES  # noqa: E402
from cakegan.run import Recorder  # noqa: E402


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    d = TrainConfig()
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    p.add_argument("--data", required=True, help="folder of training images (one class)")
    p.add_argument("--out", required=True, help="run directory to create (or continue with --resume)")
    p.add_argument("--epochs", type=int, default=d.epochs, help="total epochs (a resumed run continues to it)")
    p.add_argument("--save-every", type=int, default=d.save_every)
    p.add_argument("--batch-size", type=int, default=d.batch_size)
    p.add_argument("--lr-d", type=float, default=d.lr_d)
    p.add_argument("--lr-g", type=float, default=d.lr_g)
    p.add_argument("--beta1", type=float, default=d.beta1, help="Adam beta1 (spec: 0.9; DCGAN paper: 0.5)")
    p.add_argument("--arch", choices=ARCHES, default="transposed",
                   help="generator: transposed convolutions (spec item 2) or upsample+conv (item 13)")
    p.add_argument("--resolution", type=int, choices=(32, 64), default=32)
    p.add_argument("--augment", action="store_true", help="random flip, zoom and rotation every step")
    p.add_argument("--mirror", action="store_true", help="flip half the photos left-right every step")
    p.add_argument("--diffaugment", default=d.diffaugment, metavar="OPS",
                   help="augment what the discriminator sees, real and generated alike, with these "
                        "comma-separated operations: color, translation, cutout (empty = off)")
    p.add_argument("--ema", type=float, default=d.ema,
                   help="also keep an exponential moving average of the generator (e.g. 0.999); 0 = off")
    p.add_argument("--seed", type=int, default=d.seed)
    p.add_argument("--device", default="auto", help="auto, cpu or cuda")
    p.add_argument("--threads", type=int, default=0,
                   help="CPU threads for PyTorch (0 = its default); 1 leaves a core free for other work")
    p.add_argument("--resume", action="store_true", help="continue from the newest checkpoint in --out")
    return p.parse_args(argv)


def pick_device(name: str) -> str:
    if name == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    if name == "cuda" and not torch.cuda.is_available():
        raise RunError("--device cuda was asked for but no CUDA GPU is available: use --device cpu.")
    return name


class ProgressBar:
    def __init__(self, start: int, total: int) -> None:
        self.bar = tqdm(total=total, initial=start, unit="epoch", dynamic_ncols=True)

    def on_epoch_end(self, trainer: Trainer, stats) -> None:
        self.bar.set_postfix(D=f"{stats.d_loss:.3f}", G=f"{stats.g_loss:.3f}",
                             Dx=f"{stats.d_real:.2f}", DGz=f"{stats.d_fake:.2f}", s=f"{stats.seconds:.1f}")
        self.bar.update(1)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.threads > 0:
        torch.set_num_threads(args.threads)
    run = Run(args.out)
    if args.resume:
        if not run.exists():
            raise RunError(f"{run.path} holds no run to resume: drop --resume to start one.")
        saved = TrainConfig.from_dict(run.config()["train"])
        config = TrainConfig(**{**saved.__dict__, "epochs": args.epochs, "device": pick_device(args.device)})
    else:
        config = TrainConfig(model=ModelConfig(arch=args.arch, resolution=args.resolution),
                             epochs=args.epochs, save_every=args.save_every, batch_size=args.batch_size,
                             lr_d=args.lr_d, lr_g=args.lr_g, beta1=args.beta1, augment=args.augment,
                             mirror=args.mirror, diffaugment=args.diffaugment, ema=args.ema,
                             seed=args.seed, device=pick_device(args.device))
    data = load_folder(args.data, config.model.resolution)
    print(f"Data: {data.describe()}.")
    trainer = Trainer(config, data.images)
    print(f"Model: {config.model.arch} generator, {config.model.resolution}x{config.model.resolution}, "
          f"latent {config.model.latent_dim}; generator {count_parameters(trainer.generator):,} weights, "
          f"discriminator {count_parameters(trainer.discriminator):,} weights; device {config.device}.")
    if args.resume:
        start = run.resume(trainer)
        print(f"Resumed from epoch {start}.")
    else:
        run.create(trainer, data.summary())
    if trainer.epoch >= config.epochs:
        print(f"Nothing to do: the run is already at epoch {trainer.epoch}.")
        return 0

    def request_stop(signum, frame):
        if trainer.stop_requested:  # second Ctrl-C: leave now, the last checkpoint stays
            raise KeyboardInterrupt
        trainer.stop_requested = True
        tqdm.write("Stopping after this epoch and saving a checkpoint (Ctrl-C again to quit at once).")

    signal.signal(signal.SIGINT, request_stop)
    bar = ProgressBar(trainer.epoch, config.epochs)
    try:
        trainer.fit(config.epochs, [Recorder(run, config.save_every, config.epochs), bar])
    except TrainingDiverged as e:
        last = run.checkpoint_epochs()
        print(f"\nTraining stopped: {e}. The last good checkpoint is epoch {last[-1] if last else 0}; "
              "lower the learning rates and resume from there.", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("\nStopped; nothing after the last checkpoint was saved.", file=sys.stderr)
        return 130
    finally:
        bar.bar.close()
    print(f"Done: epoch {trainer.epoch}, run directory {run.path}.")
    return 0


if __name__ == "__main__":
    run_main(main)
