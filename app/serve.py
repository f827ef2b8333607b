"""The explorer as a real server in a subprocess, and a headless Chromium to look at it.

Shared by the browser test, the README screenshots and the start-up benchmark.
"""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

MAIN = Path(__file__).resolve().parent / "main.py"
CHROMIUM = Path("/usr/bin/chromium")  # Debian's; Playwright must never download a browser


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_healthy(url: str, proc: subprocess.Popen, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"streamlit exited with code {proc.returncode} before serving")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=1) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.1)
    raise TimeoutError(f"streamlit did not answer at {url} within {timeout:.0f} s")


@contextmanager
def served(env: dict[str, str] | None = None, args: tuple[str, ...] = (), timeout: float = 60
           ) -> Iterator[str]:
    """`streamlit run app/main.py` on a free localhost port; yields its URL, stops it after."""
    port = _free_port()
    cmd = [sys.executable, "-m", "streamlit", "run", str(MAIN), "--server.headless", "true",
           "--server.port", str(port), "--server.address", "127.0.0.1",
           "--browser.gatherUsageStats", "false", "--", *args]
    proc = subprocess.Popen(cmd, env={**os.environ, **(env or {})}, cwd=MAIN.parent.parent,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(url, proc, timeout)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()


@contextmanager
def browser_page(width: int = 1400, height: int = 1000):
    """A Playwright page in Debian's headless Chromium."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                    args=["--no-sandbox", "--disable-gpu"])
        try:
            yield browser.new_page(viewport={"width": width, "height": height})
        finally:
            browser.close()


def open_tab(page, label: str) -> None:
    """Click a tab of the explorer by its label."""
    page.get_by_role("tab", name=label).click()


def run_inversion(page, steps: int, timeout_ms: int = 120_000) -> None:
    """On the Invert tab: set the steps, press Invert, wait for the reconstruction."""
    steps_box = page.get_by_label("Steps", exact=True)
    steps_box.fill(str(steps))
    steps_box.press("Enter")
    page.get_by_role("button", name="Invert", exact=True).click()
    page.get_by_text("Reconstruction: PSNR").wait_for(timeout=timeout_ms)
