"""Which inversion search finds held-out cakes best, and how far non-cakes stay: README's tables.

    python scripts/compare_recipes.py --snapshot pretrained/fast32/snapshots/<file> \
        --holdout ../shared/data/holdout_cakes

Every row inverts the first --count held-out photos (sorted by name) together, seed 0, and
prints a markdown row: mean final MSE, mean PSNR, the mean best MSE after a few steps, seconds.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from cakegan import load_folder, load_generator  # noqa: E402
from cakegan.cli import run_main  # noqa: E402
from cakegan.invert import RECIPES, invert_batch  # noqa: E402
from cakegan.targets import OUT_OF_CLASS  # noqa: E402

# (recipe, steps, restarts): the spec's search, ours, and the calibration's (issue 5).
SEARCHES = [("spec", 300, 1), ("default", 300, 1), ("default", 300, 4), ("sphere", 300, 1),
            ("adam", 200, 4)]
CURVE_STEPS = (1, 50, 100, 200)


def row(generator, targets, recipe: str, steps: int, restarts: int) -> str:
    start = time.perf_counter()
    results = invert_batch(generator, targets, steps=steps, restarts=restarts, recipe=recipe, seed=0)
    seconds = time.perf_counter() - start
    mse = sum(r.mse for r in results) / len(results)
    psnr = sum(r.psnr for r in results) / len(results)
    curve = " ".join(f"{sum(min(r.losses[:s]) for r in results) / len(results):.3f}"
                     for s in CURVE_STEPS if s <= steps)
    label = RECIPES[recipe]["label"].replace("|", "\\|")  # |z| would end the table cell
    return (f"| {label} | {steps} x {restarts} | {mse:.4f} | {psnr:.2f} | {curve} | "
            f"{seconds / len(targets):.1f} |")


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--snapshot", required=True, help="generator snapshot (.safetensors)")
    p.add_argument("--holdout", required=True, help="photos the model never saw")
    p.add_argument("--count", type=int, default=20, help="held-out photos to invert")
    args = p.parse_args()
    generator = load_generator(args.snapshot)
    photos = list(load_folder(args.holdout, generator.resolution).images[:args.count])
    print(f"{len(photos)} held-out photos, {Path(args.snapshot).name}\n")
    print("| search | steps x starts | final MSE | PSNR (dB) | best MSE after " +
          " / ".join(map(str, CURVE_STEPS)) + " steps | s / photo |\n|---|---|---|---|---|---|")
    for recipe, steps, restarts in SEARCHES:
        print(row(generator, photos, recipe, steps, restarts))
    print("\n| target (default search, 300 x 4) | PSNR (dB) |\n|---|---|")
    for name, draw in OUT_OF_CLASS.items():
        result = invert_batch(generator, [draw()], steps=300, restarts=4, seed=0)[0]
        print(f"| {name} | {result.psnr:.2f} |")
    return 0


if __name__ == "__main__":
    run_main(main)
