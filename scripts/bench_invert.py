"""Inversion speed: ms per step at batch 1 and with 8 restarts, and the time to a good match.

Uses `cakegan.invert` exactly as the app does (default recipe), in float32 and in bfloat16
(the app's choice on CPUs with native bfloat16). GFLOP/s are counted with
torch.utils.flop_counter and set against a 2048x2048 matmul measured in the same run. The time
to 30 dB is measured on images the generator itself made (so a perfect match exists).

    python scripts/bench_invert.py --threads 2
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import torch
from torch.utils.flop_counter import FlopCounterMode

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench_train import machine, matmul_gflops  # noqa: E402
from cakegan import ModelConfig, load_generator  # noqa: E402
from cakegan.cpu import native_bfloat16  # noqa: E402
from cakegan.invert import PRECISIONS, invert  # noqa: E402
from cakegan.models import build_generator  # noqa: E402

PRETRAINED = Path(__file__).resolve().parent.parent / "pretrained"


def pick_generator(snapshot: Path | None) -> tuple[torch.nn.Module, str]:
    """The given snapshot, else the newest shipped EMA one, else an untrained generator (same speed)."""
    if snapshot is None:
        shipped = sorted(PRETRAINED.glob("*/snapshots/generator-ema-epoch-*.safetensors"),
                         key=lambda p: p.stem.rsplit("-", 1)[-1])
        snapshot = shipped[-1] if shipped else None
    if snapshot is not None:
        return load_generator(snapshot), snapshot.name
    torch.manual_seed(0)
    return build_generator(ModelConfig()).eval().requires_grad_(False), "untrained generator (no snapshot found)"


def ms_per_step(generator: torch.nn.Module, target: torch.Tensor, restarts: int, steps: int,
                precision: str, rounds: int = 3) -> float:
    """Wall time of `invert` divided by its steps: the best of `rounds` after an untimed warm-up.

    The best, as `timeit` advises: on a shared machine the slower rounds measure the neighbours.
    """
    invert(generator, target, steps=2, restarts=restarts, seed=0, precision=precision)
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        invert(generator, target, steps=steps, restarts=restarts, seed=0, precision=precision)
        times.append(time.perf_counter() - start)
    return min(times) / steps * 1e3


def flops_per_step(generator: torch.nn.Module, target: torch.Tensor, restarts: int) -> int:
    steps = 4
    with FlopCounterMode(display=False) as counter:
        invert(generator, target, steps=steps, restarts=restarts, seed=0)
    return counter.get_total_flops() // steps


def seconds_to_psnr(generator: torch.nn.Module, target: torch.Tensor, goal_db: float, seed: int) -> float | None:
    """Wall time until the best match reaches `goal_db` with the default settings; None if never."""
    def stop_at_goal(step: int, loss: float, image: torch.Tensor) -> bool:
        return loss <= 0 or 10 * torch.log10(torch.tensor(4.0 / loss)).item() < goal_db

    start = time.perf_counter()
    result = invert(generator, target, seed=seed, callback=stop_at_goal)
    return time.perf_counter() - start if result.stopped else None


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--snapshot", type=Path, help="generator snapshot (default: newest in pretrained/)")
    p.add_argument("--steps", type=int, default=100, help="timed steps per batch size")
    p.add_argument("--targets", type=int, default=5, help="generator-made images for the time to 30 dB")
    p.add_argument("--threads", type=int, default=0, help="PyTorch threads (0 = its default; the app uses 1)")
    args = p.parse_args(argv)
    if args.threads > 0:
        torch.set_num_threads(args.threads)
    print(machine())
    ceiling = matmul_gflops()
    generator, name = pick_generator(args.snapshot)
    print(f"generator: {name}")
    with torch.no_grad():
        made = generator(torch.randn(args.targets, generator.latent_dim,
                                     generator=torch.Generator().manual_seed(1))).clamp(-1, 1)

    for precision in PRECISIONS:
        for restarts in (1, 8):
            ms = ms_per_step(generator, made[0], restarts, args.steps, precision)
            gflops = flops_per_step(generator, made[0], restarts) / ms / 1e6
            print(f"{precision} batch {restarts}: {ms:6.2f} ms/step, {args.steps} steps "
                  f"{ms * args.steps / 1e3:.2f} s, {gflops:.1f} GFLOP/s = {gflops / ceiling:.0%} of the "
                  "float32 matmul")
    if not native_bfloat16():
        print("(this CPU has no native bfloat16: the app keeps float32 here)")
    times = [seconds_to_psnr(generator, t, 30.0, seed=i) for i, t in enumerate(made)]
    reached = [t for t in times if t is not None]
    print(f"30 dB on generator-made images: reached {len(reached)}/{len(times)}, "
          + (f"median {statistics.median(reached):.2f} s, worst {max(reached):.2f} s" if reached else "never"))
    print(f"matmul ceiling: {ceiling:.1f} GFLOP/s (2048x2048, same run)")


if __name__ == "__main__":
    main()
