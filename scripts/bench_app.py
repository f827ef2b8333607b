"""How fast the explorer answers: cold start to the first image, and switching snapshot.

    python scripts/bench_app.py [--runs FOLDER_OF_RUNS]

Cold start: a fresh `streamlit run` process until Chromium shows the first generated image
(target < 5 s on 2 cores). Switching: the server-side rerun after choosing another epoch in the
sidebar, on the Sample tab, each snapshot loaded and drawn for the first time (target < 0.3 s).
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app.serve import MAIN, browser_page, served  # noqa: E402


def cold_start(env: dict[str, str]) -> tuple[float, float]:
    """Seconds from launching the server to (its health check, the first image in the page)."""
    with browser_page() as page:  # the browser is already open on the user's laptop
        start = time.perf_counter()
        with served(env) as url:
            up = time.perf_counter() - start
            page.goto(url)
            page.locator('[data-testid="stImage"] img').first.wait_for(timeout=120_000)
            return up, time.perf_counter() - start


def switching(env: dict[str, str]) -> list[float]:
    """Seconds per epoch switch on the Sample tab, each snapshot loaded for the first time."""
    from streamlit.testing.v1 import AppTest

    os.environ.update(env)
    at = AppTest.from_file(str(MAIN), default_timeout=120)
    at.session_state["tab"] = "Sample"  # the history tab would load the compared epochs ahead
    at.run()
    epochs = list(at.selectbox(key="epoch").options)[::-1][1:]
    times = []
    for epoch in epochs:
        start = time.perf_counter()
        at.selectbox(key="epoch").set_value(int(epoch)).run()
        times.append(time.perf_counter() - start)
        if at.exception:
            raise RuntimeError(at.exception[0].message)
    return times


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--runs", help="folder of runs (CAKEGAN_RUNS); default: the shipped models")
    p.add_argument("--starts", type=int, default=5, help="cold starts to measure (they vary by ~1 s)")
    args = p.parse_args()
    env = {"CAKEGAN_RUNS": args.runs} if args.runs else {}
    ups, firsts = zip(*(cold_start(env) for _ in range(args.starts)))
    print(f"cold start to first image: median {statistics.median(firsts):.2f} s, best {min(firsts):.2f} s, "
          f"worst {max(firsts):.2f} s over {args.starts} starts (target < 5 s; server answering after "
          f"{statistics.median(ups):.2f} s)")
    times = switching(env)
    if times:
        print(f"switching snapshot: mean {statistics.mean(times):.3f} s, max {max(times):.3f} s "
              f"over {len(times)} epochs (target < 0.3 s)")


if __name__ == "__main__":
    main()
