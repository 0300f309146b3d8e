"""Headless Chromium (Debian package) driven by Selenium through chromedriver.

Flags keep the browser from talking to anything: no background networking, component
updates, sync or QUIC, a fresh profile per session. Browser console messages and the
DevTools network log are collected so tests can assert "no console errors" and
"no request left the page".
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

FLAGS = ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-dev-shm-usage", "--disable-extensions", "--window-size=1280,1000")


def chromium_binary() -> str | None:
    return os.environ.get("VARRANK_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")


def chromedriver_binary() -> str | None:
    return os.environ.get("VARRANK_CHROMEDRIVER") or shutil.which("chromedriver")


class Browser:
    def __init__(self) -> None:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service

        self.profile = tempfile.mkdtemp(prefix="varrank-chromium-")
        options = webdriver.ChromeOptions()
        options.binary_location = chromium_binary()
        for flag in FLAGS:
            options.add_argument(flag)
        options.add_argument(f"--user-data-dir={self.profile}")
        options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
        self.driver = webdriver.Chrome(service=Service(chromedriver_binary()), options=options)
        self.driver.set_page_load_timeout(60)

    def open(self, path: Path) -> None:
        """Load ``path`` after a blank page, so the logs hold only this page's events."""
        self.driver.get("about:blank")
        self.driver.get_log("performance")
        self.driver.get_log("browser")
        self.driver.get(Path(path).resolve().as_uri())

    def console(self) -> list[dict[str, Any]]:
        return self.driver.get_log("browser")

    def requests(self) -> list[str]:
        """URLs of every request the page made (Network.requestWillBeSent)."""
        urls = []
        for entry in self.driver.get_log("performance"):
            message = json.loads(entry["message"])["message"]
            if message.get("method") == "Network.requestWillBeSent":
                urls.append(message["params"]["request"]["url"])
        return urls

    def full_screenshot(self, path: Path, width: int = 1280) -> Path:
        height = self.driver.execute_script("return document.documentElement.scrollHeight")
        self.driver.set_window_size(width, min(int(height) + 100, 16000))
        path.parent.mkdir(parents=True, exist_ok=True)
        self.driver.save_screenshot(str(path))
        self.driver.set_window_size(width, 1000)
        return path

    def close(self) -> None:
        try:
            self.driver.quit()
        finally:
            shutil.rmtree(self.profile, ignore_errors=True)
