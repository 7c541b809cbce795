"""Open a report in Debian's headless Chromium (through Playwright) and read what it shows."""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from pathlib import Path

import pytest

needs_chromium = pytest.mark.skipif(
    shutil.which("chromium") is None,
    reason="Debian's chromium is not installed (apt-get install -y chromium; .ci/run does it)")


@dataclass
class Loaded:
    """What the page did: errors in its console or scripts, failed and made requests, each
    image's natural size (0 x 0: it did not decode), the text of the asked elements, a
    full-page screenshot (PNG bytes)."""

    problems: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    images: list[list[int]] = field(default_factory=list)
    texts: dict[str, str] = field(default_factory=dict)
    screenshot: bytes = b""


def load_report(html: Path, *selectors: str) -> Loaded:
    """Load ``html`` in headless Chromium, wait for its images to decode, and read the inner
    text of each CSS selector."""
    from playwright.sync_api import sync_playwright

    seen = Loaded()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=shutil.which("chromium"), args=["--no-sandbox"],
                                             headless=True)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.on("console", lambda m: m.type in ("error", "assert") and seen.problems.append(f"console: {m.text}"))
            page.on("pageerror", lambda e: seen.problems.append(f"exception: {e}"))
            page.on("requestfailed", lambda r: seen.problems.append(f"failed: {r.url} {r.failure}"))
            page.on("request", lambda r: seen.requests.append(r.url))
            page.goto(html.resolve().as_uri(), wait_until="load")
            seen.images = page.evaluate(
                "Promise.all([...document.images].map(i => i.decode().then("
                "() => [i.naturalWidth, i.naturalHeight], () => [0, 0])))")
            seen.texts = {selector: page.inner_text(selector) for selector in selectors}
            seen.screenshot = page.screenshot(full_page=True)
        finally:
            browser.close()
    return seen
