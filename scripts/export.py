"""Ship a run: copy the epochs worth keeping into pretrained/<name>/, snapshots in float16.

    python scripts/export.py runs/fast32 pretrained/fast32 --epochs 0 10 50 100 200 300 --checkpoint

Also writes evolution.png: the same fixed noise vectors at every shipped epoch, one row each.
The result is itself a run directory (the app opens it like any other), without the bulky
checkpoints unless --checkpoint ships the newest one so the shipped model can be trained on.
"""
from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import torch  # noqa: E402

from PIL import Image  # noqa: E402

from cakegan.cli import run_main  # noqa: E402
from cakegan import Run, RunError, load_generator, save_snapshot  # noqa: E402
from cakegan.files import write_atomic  # noqa: E402
from cakegan.images import grid  # noqa: E402
from cakegan.snapshot import snapshot_info  # noqa: E402

COPIED = ("config.json", "losses.csv", "fixed_noise.safetensors", "metrics*.csv", "MODEL_CARD.md")


EVOLUTION_COLUMNS = 8


def evolution(run: Run, epochs: list[int]) -> Image.Image:
    """One row per epoch, the same fixed noise vectors in every row (EMA generator when there)."""
    z = run.fixed_noise()[:EVOLUTION_COLUMNS]
    rows = []
    for e in epochs:
        ema = run.snapshot_path(e, ema=True).exists()
        rows.append(Run.render(load_generator(run.snapshot_path(e, ema)), z))
    return grid(torch.cat(rows), nrow=len(z), scale=3)


def export(source: Run, dest: Path, epochs: list[int], checkpoint: bool,
           raw_epochs: list[int] | None = None) -> list[int]:
    """Ship `epochs`; where an EMA snapshot exists, the raw one only if in `raw_epochs` (default: all)."""
    available = set(source.snapshot_epochs()) | set(source.snapshot_epochs(ema=True))
    chosen = sorted(e for e in epochs if e in available) or sorted(available)[-1:]
    with tempfile.TemporaryDirectory(dir=dest.parent) as tmp:
        out = Run(Path(tmp) / dest.name)
        out.path.mkdir()
        for pattern in COPIED:
            for f in source.path.glob(pattern):
                shutil.copy2(f, out.path / f.name)
        for e in chosen:
            for ema in (False, True):
                path = source.snapshot_path(e, ema)
                skip_raw = not ema and raw_epochs is not None and e not in raw_epochs and \
                    source.snapshot_path(e, True).exists()
                if path.exists() and not skip_raw:
                    extra = {k: v for k, v in snapshot_info(path).items() if k == "ema"}
                    save_snapshot(out.snapshot_path(e, ema), load_generator(path), e, torch.float16, extra)
            if source.sample_path(e).exists():
                out.sample_path(e).parent.mkdir(exist_ok=True)
                shutil.copy2(source.sample_path(e), out.sample_path(e))
        picture = evolution(out, chosen)
        write_atomic(out.path / "evolution.png", lambda tmp: picture.save(tmp, format="PNG"))
        if checkpoint and source.checkpoint_epochs():
            last = source.checkpoint_path(source.checkpoint_epochs()[-1])
            (out.path / "checkpoints").mkdir()
            shutil.copy2(last, out.path / "checkpoints" / last.name)
        if dest.exists():
            shutil.rmtree(dest)
        out.path.rename(dest)
    return chosen


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("run", help="run directory written by scripts/train.py")
    p.add_argument("dest", help="folder to create, e.g. pretrained/fast32 (replaced if it exists)")
    p.add_argument("--epochs", type=int, nargs="+", required=True, help="epochs to ship (saved ones only)")
    p.add_argument("--raw-epochs", type=int, nargs="+",
                   help="of those, the ones whose raw snapshot ships beside the EMA one (default: all); "
                        "saves space when the app opens on the EMA")
    p.add_argument("--checkpoint", action="store_true", help="also ship the newest full checkpoint")
    args = p.parse_args()
    source = Run(args.run)
    if not source.exists():
        raise RunError(f"{source.path} is not a run directory (no config.json).")
    dest = Path(args.dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    chosen = export(source, dest, args.epochs, args.checkpoint, args.raw_epochs)
    size = sum(f.stat().st_size for f in dest.rglob("*") if f.is_file()) / 1e6
    print(f"Shipped epochs {chosen} to {dest} ({size:.1f} MB).")
    return 0


if __name__ == "__main__":
    run_main(main)
