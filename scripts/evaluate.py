"""Score every snapshot of a run offline and name the epoch to keep (metrics.csv in the run).

    python scripts/evaluate.py runs/cakes --data ../shared/data/crawled_cakes \
        --holdout ../shared/data/holdout_cakes

swd: sliced Wasserstein distance (x1e3) between generated and training photos' 7x7 patches,
lower = more photo-like. holdout_psnr: mean dB of inverting held-out photos, higher = the
generator can express cakes it never saw.
"""
from __future__ import annotations

import argparse
import csv
import io
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import torch  # noqa: E402
from tqdm import tqdm  # noqa: E402

from cakegan.cli import run_main  # noqa: E402
from cakegan import Run, RunError, load_folder, load_generator  # noqa: E402
from cakegan.files import write_text  # noqa: E402
from cakegan.invert import RECIPES  # noqa: E402
from cakegan.metrics import holdout_psnr, sliced_wasserstein  # noqa: E402

COLUMNS = ["epoch", "swd", "holdout_psnr", "seconds", "suggested"]
PSNR_MARGIN_DB = 1.0


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("run", help="run directory with snapshots/")
    p.add_argument("--data", required=True, help="the training photos")
    p.add_argument("--holdout", required=True, help="photos the model never saw")
    p.add_argument("--samples", type=int, default=512, help="generated and real images for SWD")
    p.add_argument("--holdout-count", type=int, default=20, help="held-out photos to invert")
    p.add_argument("--steps", type=int, default=300, help="inversion steps per held-out photo")
    p.add_argument("--restarts", type=int, default=1, help="random starts per held-out photo; the best counts")
    p.add_argument("--recipe", choices=sorted(RECIPES), default="default",
                   help="inversion search; 'adam' with --steps 200 --restarts 4 is the calibration's search")
    p.add_argument("--every", type=int, default=1, help="score only epochs that are multiples of this")
    p.add_argument("--epochs", type=int, nargs="+", help="score only these epochs")
    p.add_argument("--ema", action="store_true", help="score the EMA snapshots (writes metrics-ema.csv)")
    p.add_argument("--update", action="store_true",
                   help="keep the table's rows for epochs not scored now (score a run as it trains)")
    p.add_argument("--out", help="file name in the run for the table (default metrics.csv or metrics-ema.csv; "
                                 "the app reads those two)")
    return p.parse_args(argv)


def real_sample(images: torch.Tensor, count: int) -> torch.Tensor:
    """A fixed random subset, so every epoch is compared against the same photos."""
    order = torch.randperm(len(images), generator=torch.Generator().manual_seed(0))
    return images[order[:count]]


@torch.no_grad()
def generated_sample(generator: torch.nn.Module, count: int) -> torch.Tensor:
    z = torch.randn(count, generator.latent_dim, generator=torch.Generator().manual_seed(0))
    return torch.cat([generator(chunk) for chunk in z.split(128)])


def pick(rows: list[dict]) -> tuple[dict, str]:
    """Lowest SWD among epochs whose held-out PSNR is within 1 dB of the best."""
    best_psnr = max(r["holdout_psnr"] for r in rows)
    fair = [r for r in rows if r["holdout_psnr"] >= best_psnr - PSNR_MARGIN_DB]
    chosen = min(fair, key=lambda r: r["swd"])
    why = (f"lowest SWD ({chosen['swd']:.2f}: its samples' patches are closest to the training photos') "
           f"among the {len(fair)} of {len(rows)} epochs whose held-out inversion PSNR is within "
           f"{PSNR_MARGIN_DB:.0f} dB of the best ({best_psnr:.2f} dB); this epoch: "
           f"{chosen['holdout_psnr']:.2f} dB")
    return chosen, why


def read_rows(path: Path) -> list[dict]:
    """An earlier table's rows, typed as `main` makes them; none if there is no table yet."""
    if not path.exists():
        return []
    with open(path, newline="") as f:
        return [{"epoch": int(r["epoch"]), "swd": float(r["swd"]), "holdout_psnr": float(r["holdout_psnr"]),
                 "seconds": float(r["seconds"])} for r in csv.DictReader(f)]


def to_csv(rows: list[dict], suggested: int) -> str:
    """One row per epoch; `suggested` is 1 on the epoch `pick` chose (the app offers it)."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(COLUMNS)
    for r in rows:
        w.writerow([r["epoch"], f"{r['swd']:.4f}", f"{r['holdout_psnr']:.4f}", f"{r['seconds']:.1f}",
                    int(r["epoch"] == suggested)])
    return buf.getvalue()


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.samples < 2 or min(args.holdout_count, args.every, args.steps, args.restarts) < 1:
        raise ValueError("--samples must be at least 2; --holdout-count, --every, --steps and --restarts "
                         "at least 1.")
    if args.out is not None and (Path(args.out).name != args.out or not args.out.endswith(".csv")):
        raise ValueError(f"--out takes a file name ending in .csv (written into the run), not {args.out!r}.")
    run = Run(args.run)
    epochs = [e for e in run.snapshot_epochs(args.ema)
              if e % args.every == 0 and (args.epochs is None or e in args.epochs)]
    if not epochs:
        raise RunError(f"{run.path} has no {'EMA ' if args.ema else ''}snapshots to score: "
                       "give a run directory written by scripts/train.py.")
    resolution = load_generator(run.snapshot_path(epochs[0], args.ema)).resolution
    real = load_folder(args.data, resolution).images
    real = real_sample(real, min(args.samples, len(real)))
    held_out = load_folder(args.holdout, resolution).images[:args.holdout_count]
    print(f"Scoring {len(epochs)} snapshots: SWD of {len(real)} generated vs {len(real)} training photos, "
          f"inversion of {len(held_out)} held-out photos ({RECIPES[args.recipe]['label']}, {args.steps} "
          f"steps, best of {args.restarts}).")
    rows = []
    for epoch in tqdm(epochs, unit="snapshot", dynamic_ncols=True):
        start = time.time()
        generator = load_generator(run.snapshot_path(epoch, args.ema))
        swd = sliced_wasserstein(generated_sample(generator, len(real)), real)
        psnr = holdout_psnr(generator, held_out, steps=args.steps, restarts=args.restarts, recipe=args.recipe)
        rows.append({"epoch": epoch, "swd": swd, "holdout_psnr": psnr, "seconds": time.time() - start})
        tqdm.write(f"epoch {epoch}: SWD {swd:.2f}, held-out PSNR {psnr:.2f} dB")
    # Derived data, recomputed from the snapshots: replacing an older metrics.csv loses nothing.
    name = args.out or ("metrics-ema.csv" if args.ema else "metrics.csv")
    if args.update:
        rows = sorted([r for r in read_rows(run.path / name) if r["epoch"] not in epochs] + rows,
                      key=lambda r: r["epoch"])
    chosen, why = pick(rows)
    out = write_text(run.path / name, to_csv(rows, chosen["epoch"]), overwrite=True)
    print(f"Wrote {out}. Pick epoch {chosen['epoch']}: {why}.")
    return 0


if __name__ == "__main__":
    run_main(main)
