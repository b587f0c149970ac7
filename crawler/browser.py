"""Find a Chromium for rendered (render: browser) sources without downloading anything.

Order: the configured path; Playwright's own Chromium when it is installed (a normal laptop
after ``playwright install chromium``); then a system Chromium (Debian's ``chromium``).
"""

from __future__ import annotations

import shutil
from pathlib import Path

SYSTEM_CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")

# Flags for a headless Chromium on a closed network, running as root in CI.
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

NOT_FOUND_HELP = (
    "no Chromium found for render: browser sources. Install one: "
    "`playwright install chromium` (normal machines) or `apt-get install chromium` (Debian), "
    "or set settings.crawl.browser_executable in the config."
)


class BrowserNotFound(RuntimeError):
    """No usable Chromium on this machine."""


def playwright_chromium() -> str | None:
    """Path of Playwright's own Chromium if it has been installed, else None."""
    try:
        from playwright.sync_api import sync_playwright

        with sync_playwright() as p:
            path = p.chromium.executable_path
    except Exception:  # the driver itself may be unusable; then fall back to the system
        return None
    return path if path and Path(path).exists() else None


def find_chromium(configured: str | None = None) -> str | None:
    """Executable path to launch, or None to let Playwright use its own browser.

    Raises BrowserNotFound when nothing is usable.
    """
    if configured:
        if Path(configured).exists():
            return configured
        raise BrowserNotFound(f"configured browser_executable {configured!r} does not exist")
    if playwright_chromium():
        return None
    for name in SYSTEM_CANDIDATES:
        found = shutil.which(name)
        if found:
            return found
    raise BrowserNotFound(NOT_FOUND_HELP)
