"""Where models come from: shipped runs in pretrained/, folders of runs, a typed path.

Plain Python (no Streamlit) so the rules are testable on their own.
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from cakegan import Run

REPO = Path(__file__).resolve().parent.parent
_RECOMMENDED_RE = re.compile(r"recommended epoch\W*(\d+)", re.IGNORECASE)


@dataclass(frozen=True)
class Entry:
    """One run directory the model picker offers."""

    label: str
    path: Path


def pretrained_folder() -> Path:
    """CAKEGAN_PRETRAINED lets tests and demos swap the shipped folder; default pretrained/."""
    return Path(os.environ.get("CAKEGAN_PRETRAINED") or REPO / "pretrained")


def runs_under(folder: Path) -> list[Path]:
    """The folder itself if it is a run, else its sub-folders that are runs, sorted by name."""
    if Run(folder).exists():
        return [folder]
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.is_dir() and Run(p).exists())


def default_line(pretrained: Path) -> tuple[str | None, int | None]:
    """pretrained/DEFAULT reads `<model-name> [epoch]`: the model (and epoch) the app opens on."""
    f = pretrained / "DEFAULT"
    words = f.read_text().split() if f.is_file() else []
    name = words[0] if words else None
    epoch = int(words[1]) if len(words) > 1 and words[1].isdigit() else None
    return name, epoch


def recommended_epoch(run_path: Path) -> int | None:
    """The epoch a model card recommends ("Recommended epoch: 300"), if it names one."""
    card = run_path / "MODEL_CARD.md"
    m = _RECOMMENDED_RE.search(card.read_text()) if card.is_file() else None
    return int(m.group(1)) if m else None


def shipped() -> list[Entry]:
    """Shipped runs, the recommended one first (DEFAULT, else the one with a model card)."""
    pretrained = pretrained_folder()
    runs = runs_under(pretrained)
    name, _ = default_line(pretrained)
    runs.sort(key=lambda p: (p.name != name, not (p / "MODEL_CARD.md").is_file(), p.name))
    return [Entry(f"shipped: {p.name}", p) for p in runs]


def run_folders(argv: list[str]) -> list[Path]:
    """Folders of runs named by CAKEGAN_RUNS (os.pathsep-separated) and the command line."""
    named = [s for s in os.environ.get("CAKEGAN_RUNS", "").split(os.pathsep) if s] + argv
    return [Path(s).expanduser() for s in named]


def catalog(argv: list[str]) -> list[Entry]:
    """Everything the picker lists: shipped models first, then runs from the named folders."""
    entries = shipped()
    seen = {e.path.resolve() for e in entries}
    for folder in run_folders(argv):
        for p in runs_under(folder):
            if p.resolve() not in seen:
                seen.add(p.resolve())
                entries.append(Entry(f"{folder.name}: {p.name}" if p != folder else p.name, p))
    return entries


def default_epoch(run_path: Path, epochs: list[int]) -> int:
    """DEFAULT's epoch for the default model, else the model card's, else the newest."""
    pretrained = pretrained_folder()
    name, epoch = default_line(pretrained)
    is_default = name == run_path.name and run_path.parent == pretrained
    wanted = epoch if is_default and epoch is not None else recommended_epoch(run_path)
    return wanted if wanted in epochs else epochs[-1]
