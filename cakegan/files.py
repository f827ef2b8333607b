"""Atomic writes: a crash never leaves a half-written file under a real name."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Callable

import torch
from safetensors import safe_open
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


def read_tensors(path: str | Path, metadata_only: bool = False) -> tuple[dict[str, torch.Tensor], dict[str, str]]:
    """(tensors, metadata) of a safetensors file; ValueError with one sentence for anything else.

    The only way cakegan reads weights and vectors: safetensors never runs code from the file.
    """
    path = Path(path)
    if not path.is_file():
        raise ValueError(f"{path} does not exist: choose a .safetensors file written by cakegan.")
    try:
        with safe_open(str(path), framework="pt") as f:
            meta = dict(f.metadata() or {})
            tensors = {} if metadata_only else {k: f.get_tensor(k) for k in f.keys()}
    except Exception:
        raise ValueError(f"{path.name} is not a readable safetensors file (truncated, corrupt or "
                         "another format): choose a file written by cakegan.") from None
    return tensors, meta


def write_text(path: str | Path, text: str, overwrite: bool = False) -> Path:
    return write_atomic(path, lambda tmp: Path(tmp).write_text(text), overwrite)
