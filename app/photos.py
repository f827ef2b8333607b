"""The photos of a user's data folder, or one clear sentence why there are none."""
from __future__ import annotations

from pathlib import Path

from cakegan import DataError
from cakegan.data import image_files


def photo_files(folder: Path) -> list[Path]:
    """Image files of `folder`, sorted; DataError when it is missing or holds none."""
    files = image_files(folder)
    if not files:
        raise DataError(f"{folder} holds no JPEG, PNG, WebP, BMP or GIF file: choose another folder.")
    return files
