"""One screenshot per tab of the explorer for the README, from the real server in Chromium.

    python scripts/screenshots.py [--runs FOLDER_OF_RUNS] [--out docs/screenshots]

Shows generated images only: the data tab previews the bundled out-of-class images (drawn by
code), never the shared photos.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app.serve import browser_page, open_tab, run_inversion, served  # noqa: E402
from cakegan import targets  # noqa: E402

SHOTS = {"Epoch history": "history", "Sample": "sample", "Invert": "invert",
         "Interpolate": "interpolate", "Data & augmentation": "data"}


def drawn_photos(folder: Path) -> Path:
    """The bundled out-of-class images as a data folder: pictures made by code, not photos."""
    for name in sorted(targets.OUT_OF_CLASS):
        targets.OUT_OF_CLASS[name]().save(folder / f"{name}.png")
    return folder


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--runs", help="folder of runs to add to the shipped models (CAKEGAN_RUNS)")
    p.add_argument("--out", default="docs/screenshots")
    p.add_argument("--steps", type=int, default=200, help="inversion steps in the Invert shot")
    args = p.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        env = {"CAKEGAN_DATA": str(drawn_photos(Path(tmp)))} | ({"CAKEGAN_RUNS": args.runs} if args.runs else {})
        with served(env) as url, browser_page(height=1300) as page:
            page.goto(url)
            page.locator('[data-testid="stImage"]').first.wait_for(timeout=120_000)
            for label, name in SHOTS.items():
                open_tab(page, label)
                if label == "Invert":
                    run_inversion(page, args.steps)
                page.locator('[data-testid="stImage"]:visible').first.wait_for()
                page.wait_for_timeout(1500)  # let plotly and the images settle
                page.screenshot(path=str(out / f"{name}.png"))
                print(f"wrote {out / f'{name}.png'}")


if __name__ == "__main__":
    main()
