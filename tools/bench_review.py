"""Benchmark of the review queue: key press on a checkbox item → next item on screen (headless Chromium).

``run(n_items)`` builds a sample workspace (real rendered forms, rasterised at 150 dpi), serves the
review app with uvicorn on a free loopback port, logs a reviewer in and answers ``n_items`` grid
items, each with a digit (which only chooses, visibly) and ``Enter`` (which saves it). Each sample
is measured inside the page: from the ``Enter`` keydown to the first animation frame after the next
item's crop image has loaded. The bar is a median ≤ 100 ms.

Usage: ``.venv/bin/python -m tools.bench_review [--items 50]`` (prints the figures as JSON).
"""

from __future__ import annotations

import socket
import statistics
import tempfile
import threading
import time
from pathlib import Path

import uvicorn

from omr.store.db import open_store
from omr.template.load import load_template
from review_ui.app import create_app
from review_ui.sample import build_sample_workspace
from review_ui.users import add_user

MINI = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "mini.yaml"
BAR_MS = 100.0
PROBE = """() => {
  window.__probe = {t0: null, t1: null};
  const box = document.getElementById('item');
  document.addEventListener('keydown', (ev) => {
    if (ev.key === 'Enter') window.__probe.t0 = performance.now();
  }, {capture: true});
  const done = () => requestAnimationFrame(() => { window.__probe.t1 = performance.now(); });
  new MutationObserver(() => {
    const img = document.getElementById('crop');
    if (!img || window.__probe.t0 === null || window.__probe.t1 !== null) return;
    if (img.complete && img.naturalWidth > 0) done(); else img.addEventListener('load', done, {once: true});
  }).observe(box, {childList: true});
}"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def run(n_items: int = 50, db_url: str | None = None) -> dict[str, float]:
    """Median and p95 (ms) from one key press on a checkbox item to the next item on screen.

    ``db_url`` puts the workspace database in PostgreSQL (an empty database or schema) instead of
    SQLite.
    """
    from playwright.sync_api import sync_playwright

    from omr._tools import chromium_path

    with tempfile.TemporaryDirectory() as tmp:
        store = open_store(Path(tmp) / "ws", db_url)
        template = load_template(MINI)
        forms = n_items // 2 + 2  # two grid rows (Q9) per form, every one flagged
        build_sample_workspace(store, template, forms=forms, seed=3, flag_share=1.0)
        add_user(store, "bench", "reviewer", "bench-password")
        app = create_app(store, templates=[MINI], secret="bench-" + "s" * 40)
        port = _free_port()
        server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        while not server.started:
            time.sleep(0.02)
        base = f"http://127.0.0.1:{port}"
        samples: list[float] = []
        try:
            with sync_playwright() as pw:
                browser = pw.chromium.launch(executable_path=str(chromium_path()), headless=True,
                                             args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"])
                page = browser.new_page()
                page.goto(f"{base}/login?next=/queue?question=Q9")
                page.fill("input[name=name]", "bench")
                page.fill("input[name=password]", "bench-password")
                page.keyboard.press("Enter")
                page.wait_for_selector("#opts")
                page.wait_for_function("() => document.getElementById('crop').complete")
                page.evaluate(PROBE)
                for i in range(n_items):
                    page.evaluate("() => { window.__probe.t0 = null; window.__probe.t1 = null; }")
                    key = str(i % 5 + 1)
                    page.keyboard.press(key)  # chooses (shown), then Enter saves and brings the next item
                    page.wait_for_selector(f"#chosen[data-value='{key}']")
                    page.keyboard.press("Enter")
                    page.wait_for_function("() => window.__probe.t1 !== null", timeout=10_000)
                    samples.append(float(page.evaluate("() => window.__probe.t1 - window.__probe.t0")))
                browser.close()
        finally:
            server.should_exit = True
            thread.join(timeout=10)
            store.engine.dispose()
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]
    return {"review_key_to_next_median_ms": round(statistics.median(samples), 1),
            "review_key_to_next_p95_ms": round(p95, 1), "review_items": float(len(samples)),
            "review_bar_ms": BAR_MS}


if __name__ == "__main__":  # pragma: no cover
    import argparse
    import json

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=50, help="items answered (samples)")
    parser.add_argument("--db", default=None, help="an empty PostgreSQL database URL instead of SQLite")
    args = parser.parse_args()
    print(json.dumps(run(args.items, args.db), indent=2))
