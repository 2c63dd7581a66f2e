"""tests/chromium.py: the browser tests find a Chrome or Chromium on any common machine, or say what to install."""

from __future__ import annotations

import pytest

from tests.chromium import INSTALL, BrowserMissing, find_chromium


def lookup(env=None, on_path=(), files=(), playwright=None) -> str:
    """``find_chromium`` on a pretend machine: ``on_path`` maps names to paths, ``files`` exist."""
    paths = dict(on_path)
    return find_chromium(
        env=env or {},
        which=paths.get,
        is_file=lambda path: path in files or path in paths.values(),
        playwright=lambda: playwright,
    )


def test_chromium_set_wins_over_everything() -> None:
    found = lookup({"CHROMIUM": "/opt/c/chrome"}, {"chromium": "/usr/bin/chromium"}, {"/opt/c/chrome"}, "/pw")
    assert found == "/opt/c/chrome"


def test_chromium_set_to_a_missing_file_is_an_error_not_a_fallback() -> None:
    with pytest.raises(BrowserMissing, match="CHROMIUM=/nope is not a file"):
        lookup({"CHROMIUM": "/nope"}, {"chromium": "/usr/bin/chromium"})


def test_an_empty_chromium_is_unset() -> None:
    assert lookup({"CHROMIUM": ""}, {"chromium": "/usr/bin/chromium"}) == "/usr/bin/chromium"


@pytest.mark.parametrize("name", ["chromium", "chromium-browser", "google-chrome", "google-chrome-stable"])
def test_a_linux_browser_on_the_path(name: str) -> None:
    assert lookup(on_path={name: f"/somewhere/{name}"}, playwright="/pw") == f"/somewhere/{name}"


def test_debian_chromium_is_found_off_the_path() -> None:
    assert lookup(files={"/usr/bin/chromium"}, playwright="/pw") == "/usr/bin/chromium"


@pytest.mark.parametrize(
    "app",
    [
        "/Applications/Google Chrome.app/Contents/MacOS/Google Chrome",
        "/Applications/Chromium.app/Contents/MacOS/Chromium",
    ],
)
def test_a_macos_application(app: str) -> None:
    assert lookup(files={app}, playwright="/pw") == app


def test_the_path_comes_before_the_applications() -> None:
    app = "/Applications/Google Chrome.app/Contents/MacOS/Google Chrome"
    assert lookup(on_path={"google-chrome": "/usr/bin/google-chrome"}, files={app}) == "/usr/bin/google-chrome"


def test_playwrights_own_browser_is_the_last_resort() -> None:
    assert lookup(playwright="/home/me/.cache/ms-playwright/chromium-1/chrome") == (
        "/home/me/.cache/ms-playwright/chromium-1/chrome"
    )


def test_no_browser_fails_with_one_line_that_says_what_to_install() -> None:
    with pytest.raises(BrowserMissing) as exc:
        lookup()
    message = str(exc.value)
    assert message == INSTALL and "\n" not in message
    assert "apt-get install chromium" in message and "playwright install chromium" in message
