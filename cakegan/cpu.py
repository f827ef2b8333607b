"""CPU speed settings shared by training and inversion (measured in scripts/bench_*.py)."""
from __future__ import annotations

import ctypes
import functools
import sys

import torch
from torch import nn


@functools.cache  # process-wide: once is enough
def keep_freed_memory() -> None:
    """Let glibc keep freed blocks instead of returning them to the OS after every step.

    Each step allocates and frees several 16 MB activations; by default glibc unmaps or trims
    them, and the next step pays a page fault per 4 KB page to get them back (measured: ~20% of
    a CPU step). Process-wide, bounded by the peak the process already reached; no-op off glibc.
    """
    if not sys.platform.startswith("linux"):
        return
    try:
        libc = ctypes.CDLL("libc.so.6")
    except OSError:
        return
    m_trim_threshold, m_mmap_threshold = -1, -3
    libc.mallopt(m_mmap_threshold, 32 << 20)  # the largest glibc accepts; above a 16 MB activation
    libc.mallopt(m_trim_threshold, 1 << 30)


def fast_layout(model: nn.Module) -> nn.Module:
    """channels_last on the CPU: oneDNN's convolutions skip layout reorders; the math is unchanged."""
    keep_freed_memory()
    return model.to(memory_format=torch.channels_last)


@functools.cache
def native_bfloat16() -> bool:
    """Whether this CPU multiplies bfloat16 in hardware (AVX512-BF16/AMX); elsewhere it is emulated, slow."""
    try:
        return bool(torch.ops.mkldnn._is_mkldnn_bf16_supported())
    except (AttributeError, RuntimeError):
        return False
