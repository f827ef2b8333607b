"""The real server on localhost, driven in Debian's headless Chromium through Playwright."""
from __future__ import annotations

from pathlib import Path

import pytest
from app_support import make_run

from app.serve import CHROMIUM, browser_page, open_tab, run_inversion, served

pytest.importorskip("playwright.sync_api")
if not CHROMIUM.exists():
    pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium)", allow_module_level=True)

ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"


def test_page_loads_and_an_inversion_shows_its_result(tmp_path):
    runs = tmp_path / "runs"
    make_run(runs, "tiny")
    env = {"CAKEGAN_PRETRAINED": str(tmp_path / "none"), "CAKEGAN_RUNS": str(runs)}
    with served(env) as url, browser_page() as page:
        page.goto(url)
        page.get_by_text("Fixed noise, epoch 30").wait_for(timeout=60_000)
        open_tab(page, "Invert")
        run_inversion(page, steps=20)
        page.get_by_role("button", name="Keep as A").wait_for(timeout=30_000)
        assert page.get_by_text("From random to best imitation").is_visible()
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "e2e-invert.png"), full_page=True)
