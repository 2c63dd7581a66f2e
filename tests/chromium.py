"""Which Chrome or Chromium the browser tests drive, on any common machine.

``find_chromium`` looks, in this order, at

1. ``$CHROMIUM``, when set (a path; a wrong one is an error, never silently passed over);
2. a system Chromium or Chrome: on the ``PATH`` (``chromium``, ``chromium-browser``, ``google-chrome``,
   ``google-chrome-stable``; Debian's ``chromium``, which ``.ci/run`` installs, is ``/usr/bin/chromium``),
   then the macOS applications (``/Applications/Google Chrome.app``, ``/Applications/Chromium.app``);
3. Playwright's own Chromium, when ``playwright install chromium`` has put it in place;

and otherwise raises ``BrowserMissing`` with one line that says what to install. Nothing is ever
downloaded.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Mapping

ENV = "CHROMIUM"
LINUX_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
SYSTEM_PATHS = (  # where the PATH may not reach: a cron job's short PATH, the macOS applications
    "/usr/bin/chromium",
    "/snap/bin/chromium",
    "/Applications/Google Chrome.app/Contents/MacOS/Google Chrome",
    "/Applications/Chromium.app/Contents/MacOS/Chromium",
)
INSTALL = (
    "no Chrome or Chromium found for the browser tests: install one (Debian/Ubuntu: `sudo apt-get install chromium`;"
    " macOS: Google Chrome), or run `.venv/bin/playwright install chromium`, or set CHROMIUM=/path/to/chrome"
)


class BrowserMissing(Exception):
    """No browser to drive: the message is the one line that says what to install."""


def playwright_chromium() -> str | None:
    """The executable of Playwright's own Chromium, if it is installed (None otherwise)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        path = playwright.chromium.executable_path
    return path if path and os.path.isfile(path) else None


def find_chromium(
    env: Mapping[str, str] = os.environ,
    which: Callable[[str], str | None] = shutil.which,
    is_file: Callable[[str], bool] = os.path.isfile,
    playwright: Callable[[], str | None] = playwright_chromium,
) -> str:
    """The path of the browser to drive (see the module's docstring for the order); ``env``, ``which``,
    ``is_file`` and ``playwright`` are the lookups, replaceable for a test."""
    chosen = env.get(ENV, "")
    if chosen:
        if not is_file(chosen):
            raise BrowserMissing(f"{ENV}={chosen} is not a file; point it at a Chrome or Chromium executable")
        return chosen
    for name in LINUX_NAMES:
        found = which(name)
        if found:
            return found
    for path in SYSTEM_PATHS:
        if is_file(path):
            return path
    found = playwright()
    if found:
        return found
    raise BrowserMissing(INSTALL)
