"""An inversion running beside the page, so the strip stays live and Stop can reach it.

Streamlit reruns the script when Stop is clicked; a search running inside the script would be
cut off and lose its best result. In a thread, the click only sets a flag that the search's
callback reads, and `cakegan.invert` returns the best so far.
"""
from __future__ import annotations

import threading
from pathlib import Path

import torch
from PIL import Image

from cakegan.invert import Inversion, invert


class InversionJob:
    """One `cakegan.invert` call in a daemon thread, with its live progress."""

    def __init__(self, generator: torch.nn.Module, target: Image.Image | torch.Tensor, *,
                 steps: int, restarts: int, recipe: str, label: str, snapshot: Path,
                 precision: str = "float32") -> None:
        self.steps, self.label, self.snapshot = steps, label, snapshot  # what the result belongs to
        self.step, self.loss = 0, float("nan")
        self.frames: list[torch.Tensor] = []  # the best image at a few steps, for the live strip
        self.result: Inversion | None = None
        self.error: Exception | None = None
        self._stop = threading.Event()
        self._every = max(1, steps // 12)
        self._thread = threading.Thread(
            target=self._run, args=(generator, target, dict(steps=steps, restarts=restarts, recipe=recipe,
                                                        precision=precision)),
            daemon=True)
        self._thread.start()

    def _run(self, generator: torch.nn.Module, target, options: dict) -> None:
        try:
            self.result = invert(generator, target, callback=self._progress, **options)
        except Exception as e:  # reported on the page as one sentence, never a traceback
            self.error = e

    def _progress(self, step: int, loss: float, image: torch.Tensor) -> bool:
        self.step, self.loss = step, loss
        if step == 1 or step % self._every == 0:
            self.frames.append(image)
        return not self._stop.is_set()

    def stop(self) -> None:
        """Ask the search to end after its current step, keeping its best result."""
        self._stop.set()

    @property
    def done(self) -> bool:
        return not self._thread.is_alive()

    def wait(self, seconds: float) -> bool:
        self._thread.join(seconds)
        return self.done
