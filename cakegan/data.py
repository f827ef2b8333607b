"""Image folder -> one in-memory tensor in [-1, 1] (spec item 4), decoded once per content."""
from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

import numpy as np
import torch
from PIL import Image, ImageOps

from .files import read_tensors, save_tensors

IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".webp", ".bmp", ".gif", ".tif", ".tiff"}
# A photo of a few megapixels is plenty; anything larger than this is refused as a possible
# decompression bomb (PIL's own default only warns below 179 MP).
MAX_PIXELS = 40_000_000
# Part of every cache key: bump it whenever decoding changes, so stale caches are never read.
CACHE_VERSION = "1"


class DataError(ValueError):
    """A data folder or image that cannot be used; the message says what to do."""


def to_rgb(img: Image.Image) -> Image.Image:
    """Any PIL mode (palette, RGBA, CMYK, 16-bit, grayscale) -> 8-bit RGB, EXIF-upright."""
    img = ImageOps.exif_transpose(img)
    if img.mode in ("I;16", "I;16B", "I;16L", "I", "F"):
        a = np.asarray(img, dtype=np.float64)
        hi = 65535.0 if img.mode != "F" and a.max() > 255 else max(float(a.max()), 1.0)
        img = Image.fromarray(np.clip(a / hi * 255.0, 0, 255).astype(np.uint8), "L")
    if img.mode in ("RGBA", "LA", "PA") or (img.mode == "P" and "transparency" in img.info):
        img = img.convert("RGBA")
        background = Image.new("RGBA", img.size, (255, 255, 255, 255))
        img = Image.alpha_composite(background, img)
    return img.convert("RGB")


def open_image(source: str | Path | BinaryIO) -> Image.Image:
    """Open and fully decode one image, refusing bombs; raises DataError with a clear sentence."""
    try:
        with Image.open(source) as img:
            w, h = img.size
            if w * h > MAX_PIXELS:
                raise DataError(f"The image is {w}x{h} pixels, too large to be a photo we can use "
                                f"(limit {MAX_PIXELS // 1_000_000} megapixels): please resize it.")
            img.seek(0)  # first frame of a GIF or other animation
            img.load()
            return to_rgb(img)
    except DataError:
        raise
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise DataError("This file is not an image we can read (unknown format, or damaged): "
                        "use a JPEG, PNG, WebP, BMP or GIF.") from None


def prepare(img: Image.Image, resolution: int) -> torch.Tensor:
    """Centre-crop to square, antialiased resize, scale to [-1, 1]: (3, R, R) float32."""
    img = to_rgb(img)
    side = min(img.size)
    left, top = (img.width - side) // 2, (img.height - side) // 2
    img = img.crop((left, top, left + side, top + side))
    img = img.resize((resolution, resolution), Image.Resampling.LANCZOS)
    a = torch.from_numpy(np.asarray(img, dtype=np.uint8).copy()).permute(2, 0, 1)
    return a.float().div(127.5).sub(1.0)


@dataclass
class ImageSet:
    """A decoded folder: `images` is (N, 3, R, R) in [-1, 1]."""

    images: torch.Tensor
    folder: str
    used: int
    duplicates: int
    unreadable: list[str] = field(default_factory=list)
    content_hash: str = ""

    def summary(self) -> dict:
        return {"folder": self.folder, "used": self.used, "duplicates_skipped": self.duplicates,
                "unreadable_skipped": len(self.unreadable), "unreadable_files": self.unreadable,
                "content_hash": self.content_hash, "resolution": int(self.images.shape[-1])}

    def describe(self) -> str:
        s = f"{self.used} photos used, {self.duplicates} skipped as duplicates, " \
            f"{len(self.unreadable)} skipped as unreadable"
        if self.unreadable:
            s += " (" + ", ".join(self.unreadable[:10]) + (" ..." if len(self.unreadable) > 10 else "") + ")"
        return s


def image_files(folder: str | Path) -> list[Path]:
    folder = Path(folder)
    if not folder.is_dir():
        raise DataError(f"The data folder {folder} does not exist: give a folder of images.")
    return sorted(p for p in folder.iterdir() if p.is_file() and p.suffix.lower() in IMAGE_SUFFIXES)


def cache_dir() -> Path:
    """Where decoded folders are kept: $CAKEGAN_CACHE, else ~/.cache/cakegan."""
    return Path(os.environ.get("CAKEGAN_CACHE") or Path.home() / ".cache" / "cakegan")


def load_folder(folder: str | Path, resolution: int = 32, cache: bool = True) -> ImageSet:
    """Decode every distinct readable image once (exact duplicates by SHA-256 are skipped).

    With `cache`, the decoded set is kept on disk keyed by the folder's file names and bytes, so
    a restart reads one file instead of decoding every photo again (~2 s for the cakes).
    """
    files = image_files(folder)
    digests = [hashlib.sha256(path.read_bytes()).hexdigest() for path in files]
    listing = "".join(f"{path.name}/{digest}\n" for path, digest in zip(files, digests))
    key = hashlib.sha256(f"{CACHE_VERSION}/{resolution}\n{listing}".encode()).hexdigest()[:32]
    cached = cache_dir() / f"folder-{key}.safetensors"
    if cache and (found := _read_cache(cached, folder)) is not None:
        return found
    decoded = _decode(folder, files, digests, resolution)
    if cache:
        _write_cache(cached, decoded)
    return decoded


def _decode(folder: str | Path, files: list[Path], digests: list[str], resolution: int) -> ImageSet:
    seen: set[str] = set()
    tensors, unreadable, dups = [], [], 0
    folder_hash = hashlib.sha256()
    for path, digest in zip(files, digests):
        if digest in seen:
            dups += 1
            continue
        seen.add(digest)
        try:
            tensors.append(prepare(open_image(path), resolution))
        except DataError:
            unreadable.append(path.name)
            continue
        folder_hash.update(digest.encode())
    if not tensors:
        raise DataError(f"No usable image in {folder} ({len(files)} image files, "
                        f"{len(unreadable)} unreadable): give a folder of JPEG/PNG photos.")
    return ImageSet(torch.stack(tensors), str(folder), len(tensors), dups, unreadable,
                    folder_hash.hexdigest()[:16])


def _read_cache(path: Path, folder: str | Path) -> ImageSet | None:
    """The cached set, or None when there is none or it cannot be read (it is then rebuilt)."""
    try:
        tensors, meta = read_tensors(path)
        return ImageSet(tensors["images"], str(folder), int(meta["used"]), int(meta["duplicates"]),
                        json.loads(meta["unreadable"]), meta["content_hash"])
    except (KeyError, ValueError):
        return None


def _write_cache(path: Path, s: ImageSet) -> None:
    """Best effort: a read-only or full disk costs the next start its decoding time, nothing else."""
    meta = {"used": str(s.used), "duplicates": str(s.duplicates),
            "unreadable": json.dumps(s.unreadable), "content_hash": s.content_hash}
    try:
        save_tensors(path, {"images": s.images}, meta, overwrite=True)
    except OSError:
        pass


def augmenter(resolution: int):
    """Spec item 13: horizontal flip, small zoom, small rotation, fresh on every call."""
    from torchvision.transforms import v2

    return v2.Compose([
        v2.RandomHorizontalFlip(),
        v2.RandomAffine(degrees=10, scale=(1.0, 1.15), interpolation=v2.InterpolationMode.BILINEAR),
    ])
