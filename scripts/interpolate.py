"""Walk the latent space from A to B (spec item 12): strip PNG and looping GIF.

A and B are latent vectors saved by scripts/invert.py (.safetensors) or photos, inverted first.

    python scripts/interpolate.py --snapshot S --a a.safetensors --b cake.jpg --steps 10 --out walk/
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import torch  # noqa: E402

from cakegan.cli import run_main  # noqa: E402
from cakegan import load_generator  # noqa: E402
from cakegan.files import write_atomic  # noqa: E402
from cakegan.images import gif_bytes, strip  # noqa: E402
from cakegan.invert import invert  # noqa: E402
from cakegan.latent import belongs_to, interpolate, load_latent, save_latent  # noqa: E402


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    p.add_argument("--snapshot", required=True, help="generator snapshot (.safetensors)")
    p.add_argument("--a", required=True, help="start: a saved latent vector or a photo")
    p.add_argument("--b", required=True, help="end: a saved latent vector or a photo")
    p.add_argument("--steps", type=int, default=10, help="images in the sequence, A and B included")
    p.add_argument("--mode", choices=("linear", "slerp"), default="linear")
    p.add_argument("--inversion-steps", type=int, default=300, help="for a photo given as A or B")
    p.add_argument("--restarts", type=int, default=4, help="for a photo given as A or B")
    p.add_argument("--out", required=True, help="folder for interpolation.png and interpolation.gif")
    return p.parse_args(argv)


def endpoint(source: str, generator: torch.nn.Module, args: argparse.Namespace) -> torch.Tensor:
    """A saved vector of this very snapshot, or a photo inverted now (its vector is saved too)."""
    path = Path(source)
    if path.suffix == ".safetensors":
        z, meta = load_latent(path)
        if not belongs_to(meta, args.snapshot):
            raise ValueError(f"{path.name} was found with {meta.get('snapshot')}, not with "
                             f"{Path(args.snapshot).name}: invert its photo again with this snapshot.")
        return z
    result = invert(generator, path, steps=args.inversion_steps, restarts=args.restarts, seed=0)
    print(f"Inverted {path.name}: PSNR {result.psnr:.2f} dB.")
    save_latent(Path(args.out) / f"{path.stem}.safetensors", result.z, args.snapshot, overwrite=True,
                source=path.name, psnr=f"{result.psnr:.2f}")
    return result.z


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    generator = load_generator(args.snapshot)
    z_a, z_b = endpoint(args.a, generator, args), endpoint(args.b, generator, args)
    path = interpolate(z_a, z_b, args.steps, args.mode)
    with torch.no_grad():
        images = generator(path)
    out = Path(args.out)
    picture = strip(images)
    there_and_back = list(images) + list(images.flip(0)[1:-1])  # loops without a jump
    animation = gif_bytes(there_and_back, hold_last_ms=0)
    written = [write_atomic(out / "interpolation.png", lambda tmp: picture.save(tmp, format="PNG"),
                            overwrite=True),
               write_atomic(out / "interpolation.gif", lambda tmp: Path(tmp).write_bytes(animation),
                            overwrite=True)]
    print(f"{args.steps} images, {args.mode}; wrote {', '.join(str(p) for p in written)}.")
    return 0


if __name__ == "__main__":
    run_main(main)
