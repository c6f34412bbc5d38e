"""Browser tests: the real server (`streamlit run app.py`, headless, on a free port) and Debian's
chromium driven by Playwright. Never downloads a browser.

Every test here carries the ``e2e`` marker (``-m "not e2e"`` leaves them out). A test that runs
longer than ``E2E_TEST_TIMEOUT`` seconds is interrupted, so a stuck page cannot hang the suite.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import ROOT

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    # WebGL in software, so the deck.gl map draws its canvas without a GPU
    "--use-angle=swiftshader",
    "--enable-unsafe-swiftshader",
]
PORTS = range(8620, 8641)  # tried first; the OS picks one when all are taken
SERVER_START_TIMEOUT = 90
E2E_TEST_TIMEOUT = int(os.environ.get("PANHUO_E2E_TIMEOUT", "180"))
SCREENSHOTS = ROOT / "artifacts" / "screenshots"
LOADED = '[data-testid="stApp"][data-test-script-state="notRunning"]'


def _port_is_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


def free_port() -> int:
    for port in PORTS:
        if _port_is_free(port):
            return port
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """``python -m streamlit run app.py`` on a free port, ready once /_stcore/health answers."""

    def __init__(self, workdir: Path, env: dict[str, str] | None = None) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = workdir / f"streamlit-{self.port}.log"
        environment = os.environ | {
            "PANHUO_SQLITE_PATH": str(workdir / "panhuo-e2e.sqlite"),
            "PYTHONUNBUFFERED": "1",
            "PANHUO_DEMO": "0",  # no demonstration plan unless a test asks for it
        } | (env or {})  # fmt: skip
        command = [
            sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(self.port),
            "--server.headless", "true", "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false",
            "--server.fileWatcherType", "none",
        ]  # fmt: skip
        with self.log.open("w") as log:
            self.process = subprocess.Popen(
                command, cwd=ROOT, env=environment, stdout=log, stderr=subprocess.STDOUT
            )
        self._wait()

    def _wait(self) -> None:
        deadline = time.monotonic() + SERVER_START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"streamlit exited with {self.process.returncode}:\n{self.log.read_text()}"
                )
            with (
                contextlib.suppress(OSError),
                urllib.request.urlopen(f"{self.url}/_stcore/health", timeout=2) as r,
            ):
                if r.status == 200:
                    return
            time.sleep(0.3)
        self.stop()
        raise RuntimeError(
            f"streamlit did not answer within {SERVER_START_TIMEOUT} s:\n{self.log.read_text()}"
        )

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)


@pytest.fixture(scope="session")
def app_server(tmp_path_factory) -> Iterator[Server]:
    """One server shared by most browser tests."""
    server = Server(tmp_path_factory.mktemp("e2e-server"))
    yield server
    server.stop()


@pytest.fixture
def fresh_server(tmp_path_factory) -> Iterator[Server]:
    """A server of its own, for tests that need to be its first visitor."""
    server = Server(tmp_path_factory.mktemp("e2e-fresh"))
    yield server
    server.stop()


@pytest.fixture(scope="session")
def browser():
    """Debian's chromium, one per test session."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium package (never `playwright install`)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def context(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 900}, locale="zh-CN")
    context.set_default_timeout(30_000)
    context.set_default_navigation_timeout(60_000)
    yield context
    context.close()


@pytest.fixture
def page(context):
    return context.new_page()


@pytest.fixture(scope="session")
def screenshots() -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS


def wait_for_app(page, timeout: float = 60_000) -> None:
    """Wait until the script run has finished and nothing is still a skeleton."""
    page.wait_for_selector('[data-testid="stApp"]', timeout=timeout)
    deadline = time.monotonic() + timeout / 1000
    stable = 0
    while time.monotonic() < deadline:
        done = page.locator(LOADED).count() == 1 and page.locator('[data-testid="stSkeleton"]').count() == 0
        stable = stable + 1 if done else 0
        if stable >= 3:  # still finished after three looks: no rerun (e.g. 首页 → 总览) pending
            return
        page.wait_for_timeout(250)
    raise TimeoutError(f"the app did not finish its run within {timeout / 1000:.0f} s: {page.url}")


def exceptions(page) -> list[str]:
    return [e.inner_text() for e in page.locator('[data-testid="stException"]').all()]


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_call(item):
    """Interrupt an e2e test that runs too long (pytest-timeout is not installed)."""
    if item.get_closest_marker("e2e") is None or not hasattr(signal, "SIGALRM"):
        yield
        return

    def interrupt(signum, frame):
        raise TimeoutError(f"{item.nodeid} ran longer than {E2E_TEST_TIMEOUT} s")

    previous = signal.signal(signal.SIGALRM, interrupt)
    signal.alarm(E2E_TEST_TIMEOUT)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


LOCAL_HOSTS = {"localhost", "127.0.0.1", "[::1]", "::1"}


def record_requests(page) -> list[str]:
    """Every URL the page asks for from now on (to check none leaves the server)."""
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    return requests


def foreign(urls) -> list[str]:
    """The URLs among ``urls`` whose host is not the app's own."""
    from urllib.parse import urlparse

    return sorted({url for url in urls if url and urlparse(url).hostname not in LOCAL_HOSTS})


def outside_links(page) -> list[str]:
    """Every <a href>, <img src> (and srcset, source, iframe) in the page pointing to another host."""
    urls = page.evaluate(
        """() => [...document.querySelectorAll('a[href], img, source, iframe, link[href]')]
            .flatMap(e => [e.href, e.src, e.currentSrc].filter(Boolean))"""
    )
    return foreign(u for u in urls if u.startswith(("http:", "https:", "//")))
