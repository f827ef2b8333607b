"""The real server on localhost, driven in Debian's headless Chromium through Playwright."""
from __future__ import annotations

from pathlib import Path

import pytest
from app_support import EPOCHS, make_run

from app.serve import CHROMIUM, browser_page, open_tab, run_inversion, served

pytest.importorskip("playwright.sync_api")
if not CHROMIUM.exists():
    pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium)", allow_module_level=True)

ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"


def test_page_loads_and_an_inversion_shows_its_result(tmp_path):
    runs = tmp_path / "runs"
    make_run(runs, "tiny")
    env = {"CAKEGAN_PRETRAINED": str(tmp_path / "none")}
    with served(env, args=(str(runs),)) as url, browser_page() as page:  # the folder of runs as argument
        page.goto(url)
        page.get_by_text(f"Fixed noise, epoch {EPOCHS[-1]}").wait_for(timeout=60_000)
        open_tab(page, "Invert")
        run_inversion(page, steps=20)
        page.get_by_role("button", name="Keep as A").wait_for(timeout=30_000)
        assert page.get_by_text("From random to best imitation").is_visible()
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "e2e-invert.png"))
        stop_a_long_inversion(page)


def stop_a_long_inversion(page) -> None:
    """Stop reaches the search running beside the page; the best so far is kept and shown."""
    page.get_by_label("Steps", exact=True).fill("2000")
    page.get_by_label("Steps", exact=True).press("Enter")
    page.get_by_role("button", name="Invert", exact=True).click()
    page.get_by_text("Best image so far").wait_for(timeout=60_000)
    page.get_by_role("button", name="Stop search").click()
    page.get_by_text("stopped early after").wait_for(timeout=60_000)
    page.screenshot(path=str(ARTIFACTS / "e2e-stopped.png"))
