"""Debian's Chromium for the browser tests, with a fake camera and microphone.

Playwright's sync API runs in these tests' own thread with no asyncio loop; it drives
/usr/bin/chromium (never a downloaded browser build). The fake devices stand in for a
camera and microphone and the permission prompt is answered yes, as a patient would.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from playwright.sync_api import Browser, sync_playwright

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--use-fake-device-for-media-stream",
    "--use-fake-ui-for-media-stream",
    "--autoplay-policy=no-user-gesture-required",
]


@contextmanager
def chromium(*, fake_cameras: int = 1) -> Iterator[Browser]:
    """The browser; `fake_cameras` > 1 offers that many fake cameras (switching cameras)."""
    args = list(CHROMIUM_ARGS)
    if fake_cameras > 1:
        index = args.index("--use-fake-device-for-media-stream")
        args[index] = f"--use-fake-device-for-media-stream=device-count={fake_cameras}"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=args)
        yield browser
        browser.close()
