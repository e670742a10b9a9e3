"""Headless Debian Chromium for the browser tests: launch settings, viewports, screenshots and the sideways-scroll
check every page must pass on a phone."""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from playwright.sync_api import Browser, Page, sync_playwright

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
LAPTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}


def chromium() -> Iterator[Browser]:
    """Debian's chromium driven by Playwright, closed afterwards (the body of the `browser` fixture)."""
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        yield launched
        launched.close()


def no_horizontal_scroll(page: Page) -> None:
    """The page fits its viewport's width; otherwise name the elements that stick out."""
    wide = page.evaluate("""() => document.documentElement.scrollWidth <= window.innerWidth + 1 ? [] :
        [...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)
          .slice(0, 5).map(e => e.tagName + (e.id ? '#' + e.id : '') + '.' + e.className + ' → '
                             + Math.round(e.getBoundingClientRect().right))""")
    assert not wide, f"page scrolls sideways; too wide: {wide}"
