"""Training speed: a plain PyTorch loop vs the cakegan trainer, same model, photos and steps.

(a) is the loop a student would write: a DataLoader over the image files (decoded and resized
every epoch), nn.Sequential models, the spec's two steps with the trainer's BatchNorm handling
(reals and fakes through D separately, D's running statistics kept in the G step).
(b) is `cakegan.Trainer` with its defaults. Each loop runs in its own process (cakegan's
allocator setting is process-wide), in alternating rounds (a, b, a, b) so that a change in the
machine's load hits both alike. Prints images/s, the ratio, and (b)'s GFLOP/s against a 2048x2048
matmul measured in the same run (the machine's practical ceiling). Pause other work first.

    python scripts/bench_train.py --data ../shared/data/crawled_cakes --epochs 1 --rounds 2
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

import torch
import torch.nn.functional as F
from PIL import Image
from torch import nn
from torch.utils.data import DataLoader, Dataset
from torch.utils.flop_counter import FlopCounterMode
from torchvision import transforms as T

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from cakegan import TrainConfig, Trainer, load_folder  # noqa: E402
from cakegan.data import image_files  # noqa: E402

DEFAULT_DATA = Path(__file__).resolve().parent.parent.parent / "shared" / "data" / "crawled_cakes"


def matmul_gflops(size: int = 2048, repeats: int = 8) -> float:
    """Best-of-`repeats` GFLOP/s of one float32 size x size matmul: the practical ceiling."""
    a, b, out = torch.randn(size, size), torch.randn(size, size), torch.empty(size, size)
    torch.mm(a, b, out=out)
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        torch.mm(a, b, out=out)
        best = min(best, time.perf_counter() - start)
    return 2 * size**3 / best / 1e9


def machine() -> str:
    """CPU model, cores and PyTorch threads: the numbers mean nothing without it."""
    model = platform.processor() or platform.machine()
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        names = [line.split(":", 1)[1].strip() for line in cpuinfo.read_text().splitlines()
                 if line.startswith("model name")]
        model = names[0] if names else model
    return (f"{model}, {os.cpu_count()} logical cores, torch {torch.__version__}, "
            f"{torch.get_num_threads()} threads")


def distinct_files(folder: Path) -> list[Path]:
    """The files cakegan trains on (exact duplicates skipped), so both loops see the same photos."""
    seen: set[str] = set()
    files = []
    for path in image_files(folder):
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        if digest not in seen:
            seen.add(digest)
            files.append(path)
    return files


class Photos(Dataset):
    """Decode, resize and scale one file per item, every epoch (the plain way)."""

    def __init__(self, files: list[Path]) -> None:
        self.files = files
        self.transform = T.Compose([T.Resize(32), T.CenterCrop(32), T.ToTensor(), T.Normalize(0.5, 0.5)])

    def __len__(self) -> int:
        return len(self.files)

    def __getitem__(self, i: int) -> torch.Tensor:
        with Image.open(self.files[i]) as img:
            return self.transform(img.convert("RGB"))


def plain_models() -> tuple[nn.Sequential, nn.Sequential]:
    """The spec's generator and discriminator (logits out) as nn.Sequential."""
    lrelu = lambda: nn.LeakyReLU(0.2)  # noqa: E731
    g = nn.Sequential(nn.Linear(64, 1024), nn.Unflatten(1, (64, 4, 4)),
                      nn.ConvTranspose2d(64, 64, 4, 2, 1), lrelu(),
                      nn.ConvTranspose2d(64, 128, 4, 2, 1), lrelu(),
                      nn.ConvTranspose2d(128, 256, 4, 2, 1), lrelu(),
                      nn.Conv2d(256, 3, 5, padding=2), nn.Tanh())
    d = nn.Sequential(nn.Conv2d(3, 32, 4, 2, 1), nn.BatchNorm2d(32), lrelu(),
                      nn.Conv2d(32, 64, 4, 2, 1), nn.BatchNorm2d(64), lrelu(),
                      nn.Conv2d(64, 64, 4, 2, 1), nn.BatchNorm2d(64), lrelu(),
                      nn.Flatten(), nn.Dropout(0.2), nn.Linear(64 * 4 * 4, 1), nn.Flatten(0))
    return g, d


class PlainLoop:
    """Reference (a): the spec's D and G steps written the obvious way."""

    def __init__(self, files: list[Path], config: TrainConfig) -> None:
        self.config = config
        self.loader = DataLoader(Photos(files), batch_size=config.batch_size, shuffle=True, drop_last=True)
        self.g, self.d = plain_models()
        self.opt_g = torch.optim.Adam(self.g.parameters(), lr=config.lr_g, betas=(config.beta1, config.beta2))
        self.opt_d = torch.optim.Adam(self.d.parameters(), lr=config.lr_d, betas=(config.beta1, config.beta2))
        self.losses: list[tuple[float, float]] = []

    def step(self, real: torch.Tensor) -> None:
        n = real.shape[0]
        fake = self.g(torch.randn(n, 64)).detach()
        logits = torch.cat([self.d(real), self.d(fake)])
        labels = torch.cat([torch.ones(n), torch.zeros(n)])
        labels = labels + (torch.rand(2 * n) * 2 - 1) * self.config.label_noise
        d_loss = F.binary_cross_entropy_with_logits(logits, labels)
        l2 = sum((m.weight ** 2).sum() for m in self.d if isinstance(m, nn.Conv2d))
        self.opt_d.zero_grad()
        (d_loss + self.config.l2 * l2).backward()
        self.opt_d.step()

        saved = [b.clone() for b in self.d.buffers()]  # the G step leaves D's statistics alone
        out = self.d(self.g(torch.randn(n, 64)))
        g_loss = F.binary_cross_entropy_with_logits(out, torch.ones(n))
        self.opt_g.zero_grad()
        g_loss.backward()
        self.opt_g.step()
        with torch.no_grad():
            for b, s in zip(self.d.buffers(), saved):
                b.copy_(s)
        self.losses.append((d_loss.item(), g_loss.item()))

    def train_epoch(self) -> int:
        steps = 0
        for real in self.loader:
            self.step(real)
            steps += 1
        return steps


def trainer_step_flops(trainer: Trainer) -> int:
    """FLOPs of one D step plus one G step, counted by torch.utils.flop_counter."""
    real = trainer.images[:trainer.config.batch_size]
    with FlopCounterMode(display=False) as counter:
        trainer.d_step(real)
        trainer.g_step(real.shape[0])
    return counter.get_total_flops()


def time_loop(loop: str, data: Path, epochs: int) -> dict:
    """Build one loop, take one untimed warm-up step, then time `epochs` epochs."""
    config = TrainConfig()
    torch.manual_seed(0)
    start = time.perf_counter()
    if loop == "plain":
        plain = PlainLoop(distinct_files(data), config)
        plain.step(next(iter(plain.loader)))
        flops, load_s, run_epoch = 0, 0.0, plain.train_epoch
    else:
        trainer = Trainer(config, load_folder(data, 32).images)
        load_s = time.perf_counter() - start
        flops = trainer_step_flops(trainer)
        steps_per_epoch = trainer.images.shape[0] // config.batch_size

        def run_epoch() -> int:
            trainer.train_epoch()
            return steps_per_epoch
    start = time.perf_counter()
    steps = sum(run_epoch() for _ in range(epochs))
    return {"steps": steps, "seconds": time.perf_counter() - start, "flops": flops, "load_s": load_s}


def run_child(loop: str, args: argparse.Namespace) -> dict:
    """Run one loop in a child process and return its timings."""
    cmd = [sys.executable, __file__, "--loop", loop, "--data", str(args.data),
           "--epochs", str(args.epochs), "--threads", str(args.threads)]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    return json.loads(out.splitlines()[-1])


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--data", type=Path, default=DEFAULT_DATA, help="folder of training photos")
    p.add_argument("--epochs", type=int, default=1, help="timed epochs per loop and round (45 steps on the cakes)")
    p.add_argument("--rounds", type=int, default=2, help="alternating rounds of (a) then (b)")
    p.add_argument("--threads", type=int, default=0, help="PyTorch threads (0 = its default)")
    p.add_argument("--loop", choices=("plain", "cakegan"), help=argparse.SUPPRESS)  # child mode
    args = p.parse_args(argv)
    if args.threads > 0:
        torch.set_num_threads(args.threads)
    if args.loop:
        print(json.dumps(time_loop(args.loop, args.data, args.epochs)))
        return
    print(machine())
    ceiling = matmul_gflops()
    totals = {loop: {"steps": 0, "seconds": 0.0} for loop in ("plain", "cakegan")}
    for _ in range(args.rounds):
        for loop, total in totals.items():
            result = run_child(loop, args)
            total["steps"] += result["steps"]
            total["seconds"] += result["seconds"]
            if loop == "cakegan":
                flops, load_s = result["flops"], result["load_s"]
    ceiling = max(ceiling, matmul_gflops())

    batch = TrainConfig().batch_size
    rate = {k: v["steps"] * batch / v["seconds"] for k, v in totals.items()}
    ms = {k: v["seconds"] / v["steps"] * 1e3 for k, v in totals.items()}
    achieved = flops / ms["cakegan"] / 1e6
    print(f"cakegan start-up: load_folder + Trainer {load_s:.2f} s (once per run, not in the rates)")
    print(f"steps per loop: {totals['plain']['steps']}, {flops / 1e9:.2f} GFLOP per step")
    print(f"(a) plain loop  : {rate['plain']:7.1f} images/s  ({ms['plain']:.0f} ms/step)")
    print(f"(b) cakegan     : {rate['cakegan']:7.1f} images/s  ({ms['cakegan']:.0f} ms/step)")
    print(f"ratio (b)/(a)   : {rate['cakegan'] / rate['plain']:.2f}x")
    print(f"(b) {achieved:.1f} GFLOP/s = {achieved / ceiling:.0%} of a 2048x2048 matmul ({ceiling:.1f} GFLOP/s)")


if __name__ == "__main__":
    main()
