"""Atomic writes: a crash never leaves a half-written file under a real name."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Callable

import torch
from safetensors.torch import save_file


def write_atomic(path: str | Path, write: Callable[[str], None], overwrite: bool = False) -> Path:
    """Run `write(tmp_path)`, fsync, then rename onto `path`.

    Without `overwrite`, an existing file is an error: history is never overwritten.
    """
    path = Path(path)
    if path.exists() and not overwrite:
        raise FileExistsError(f"{path} already exists and is never overwritten.")
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        write(tmp)
        with open(tmp, "rb+") as f:
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def save_tensors(path: str | Path, tensors: dict[str, torch.Tensor], metadata: dict[str, str],
                 overwrite: bool = False) -> Path:
    tensors = {k: v.detach().contiguous().cpu() for k, v in tensors.items()}
    return write_atomic(path, lambda tmp: save_file(tensors, tmp, metadata=metadata), overwrite)


def write_text(path: str | Path, text: str, overwrite: bool = False) -> Path:
    return write_atomic(path, lambda tmp: Path(tmp).write_text(text), overwrite)
