"""Re-take the README screenshots: the real report in a throwaway store, the app, headless Chromium.

Run from the repository root: ``.venv/bin/python docs/screenshots/capture.py``. The store is built
in a temporary folder from a copy of ``corpus/``; the repository's own store is never touched.
"""

from __future__ import annotations

import logging
import re
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from app.settings import Settings  # noqa: E402
from app.ui import build_ui, launch_kwargs  # noqa: E402
from app.wiring import Components  # noqa: E402
from tests.ui.browser import ask, launch_chromium  # noqa: E402
from tests.ui.conftest import free_port  # noqa: E402

logger = logging.getLogger("capture")
OUT = Path(__file__).resolve().parent
QUESTIONS = ("Which agencies joined ISECG in 2020?", "Which of them are from Asia?")
DATASET, SPLIT = "isecg-annual-report-2020.jsonl", "dev"


def serve(base: Path) -> tuple[str, object]:
    corpus = base / "corpus"
    shutil.copytree(ROOT / "corpus", corpus)
    settings = Settings(corpus_dir=corpus, store_dir=base / "store", port=free_port())
    components = Components(settings)
    components.ingest()
    demo = build_ui(components)
    _, url, _ = demo.launch(**launch_kwargs(settings), prevent_thread_lock=True, quiet=True)
    return url.rstrip("/"), demo


def chat_screenshot(page) -> None:
    from playwright.sync_api import expect

    for turn, question in enumerate(QUESTIONS, start=1):
        ask(page, question)
        expect(page.locator(f'#isecg-chat a[href="#isecg-src-{turn}-1"]')).to_be_visible(timeout=120_000)
    page.wait_for_timeout(1000)
    page.screenshot(path=str(OUT / "chat.png"))


def eval_screenshot(page) -> None:
    from playwright.sync_api import expect

    page.get_by_role("tab", name="Evaluate").click()
    page.get_by_role("combobox", name="Dataset (evals/datasets/)").click()
    page.get_by_role("option", name=DATASET).click()
    page.get_by_role("radio", name=SPLIT).check()
    page.locator("#isecg-run-eval").click()
    expect(page.locator("#isecg-eval-summary")).to_contain_text(re.compile(r"\d+ questions with"), timeout=600_000)
    page.set_viewport_size({"width": 1400, "height": 1450})
    page.wait_for_timeout(1000)
    page.screenshot(path=str(OUT / "eval.png"))


def main() -> None:
    from playwright.sync_api import sync_playwright

    logging.basicConfig(level=logging.INFO)
    with tempfile.TemporaryDirectory(prefix="isecg-qa-shots-") as tmp:
        url, demo = serve(Path(tmp))
        try:
            with sync_playwright() as playwright:
                browser = launch_chromium(playwright)
                page = browser.new_page(viewport={"width": 1400, "height": 900})
                page.goto(url)
                chat_screenshot(page)
                eval_screenshot(page)
                browser.close()
        finally:
            demo.close()
    logger.info("wrote %s and %s", OUT / "chat.png", OUT / "eval.png")


if __name__ == "__main__":
    main()
