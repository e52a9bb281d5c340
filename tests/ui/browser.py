"""Headless Chromium for UI tests and the docs screenshots (Debian's package, not Playwright's download)."""

from __future__ import annotations

from pathlib import Path

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
MISSING = (
    f"no Chromium at {CHROMIUM}: install Debian's package (apt-get install -y chromium chromium-driver); "
    "Playwright's own browser download does not work on this machine"
)


def launch_chromium(playwright):
    """A headless Chromium browser from the system package."""
    return playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)


def ask(page, question: str) -> None:
    """Type a question into the chat and send it with Enter."""
    box = page.locator("#isecg-question textarea")
    box.fill(question)
    box.press("Enter")
