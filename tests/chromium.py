"""Load a page in Debian's headless chromium and report what a person (and its console) sees.

Talks the DevTools protocol over ``--remote-debugging-pipe`` (file descriptors 3
and 4, NUL-separated JSON), so no port is opened and nothing but chromium is
needed: console messages, uncaught exceptions, log entries (failed loads) and
every request the page makes are collected, the DOM is queried with JavaScript
and a full-page screenshot is taken.
"""

from __future__ import annotations

import base64
import fcntl
import json
import os
import select
import shutil
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

CHROMIUM_NAMES = ("chromium", "chromium-browser")
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--hide-scrollbars",
    "--remote-debugging-pipe",
)


def chromium_binary() -> str:
    """The chromium executable; the test fails in CI (skips elsewhere) when it is missing."""
    for name in CHROMIUM_NAMES:
        found = shutil.which(name)
        if found:
            return found
    message = "chromium is not installed (apt-get install -y chromium)"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


@dataclass
class PageVisit:
    """What loading a page produced."""

    console: list[dict[str, Any]] = field(default_factory=list)
    exceptions: list[str] = field(default_factory=list)
    log: list[dict[str, Any]] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    result: Any = None

    @property
    def errors(self) -> list[str]:
        """Console errors and warnings, uncaught exceptions, error log entries."""
        found = [
            f"console.{m['type']}: " + " ".join(str(a.get("value", a)) for a in m["args"])
            for m in self.console
            if m["type"] in ("error", "warning", "assert")
        ]
        found += [f"exception: {text}" for text in self.exceptions]
        found += [
            f"log {e.get('level')}: {e.get('text')} {e.get('url', '')}"
            for e in self.log
            if e.get("level") in ("error", "warning")
        ]
        return found


def _above_four(fd: int) -> int:
    """The descriptor moved to a number above 4, so dup2 onto 3 and 4 cannot clobber it."""
    moved = fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, 10)
    os.close(fd)
    return moved


class _Pipe:
    def __init__(self, process: subprocess.Popen, to_browser: int, from_browser: int) -> None:
        self.process = process
        self.to_browser = to_browser
        self.from_browser = from_browser
        self.buffer = b""
        self.next_id = 0
        self.events: list[dict[str, Any]] = []

    def _read_message(self, deadline: float) -> dict[str, Any]:
        while b"\0" not in self.buffer:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("chromium did not answer in time")
            ready, _, _ = select.select([self.from_browser], [], [], left)
            if ready:
                chunk = os.read(self.from_browser, 1 << 16)
                if not chunk:
                    raise RuntimeError("chromium closed the DevTools pipe")
                self.buffer += chunk
        message, _, self.buffer = self.buffer.partition(b"\0")
        return json.loads(message)

    def send(
        self, method: str, params: dict | None = None, session: str | None = None, timeout=30.0
    ) -> dict[str, Any]:
        self.next_id += 1
        message: dict[str, Any] = {"id": self.next_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        os.write(self.to_browser, json.dumps(message).encode() + b"\0")
        deadline = time.monotonic() + timeout
        while True:
            reply = self._read_message(deadline)
            if reply.get("id") == self.next_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})
            self.events.append(reply)

    def wait_for(self, method: str, timeout: float = 30.0) -> dict[str, Any]:
        for index, event in enumerate(self.events):
            if event.get("method") == method:
                return self.events.pop(index)
        deadline = time.monotonic() + timeout
        while True:
            event = self._read_message(deadline)
            if event.get("method") == method:
                return event
            self.events.append(event)


def visit(
    url: str,
    profile_dir: Path,
    *,
    script: str = "null",
    screenshot: Path | None = None,
    width: int = 1280,
    height: int = 900,
) -> PageVisit:
    """Load ``url``, evaluate ``script`` (its JSON-able value is returned), take a screenshot."""
    binary = chromium_binary()
    to_read, to_write = (_above_four(fd) for fd in os.pipe())  # the browser reads fd 3
    from_read, from_write = (_above_four(fd) for fd in os.pipe())  # and writes to fd 4

    def wire() -> None:
        os.dup2(to_read, 3)
        os.dup2(from_write, 4)
        os.set_inheritable(3, True)
        os.set_inheritable(4, True)

    process = subprocess.Popen(
        [binary, *FLAGS, f"--user-data-dir={profile_dir}", "about:blank"],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        preexec_fn=wire,
        pass_fds=(3, 4),
    )
    os.close(to_read)
    os.close(from_write)
    pipe = _Pipe(process, to_write, from_read)
    page = PageVisit()
    try:
        target = pipe.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = pipe.send("Target.attachToTarget", {"targetId": target, "flatten": True})[
            "sessionId"
        ]
        for domain in ("Page", "Runtime", "Log", "Network"):
            pipe.send(f"{domain}.enable", session=session)
        pipe.send(
            "Emulation.setDeviceMetricsOverride",
            {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False},
            session=session,
        )
        pipe.send("Page.navigate", {"url": url}, session=session)
        pipe.wait_for("Page.loadEventFired")
        evaluated = pipe.send(
            "Runtime.evaluate",
            {"expression": f"JSON.stringify({script})", "returnByValue": True},
            session=session,
        )
        page.result = json.loads(evaluated["result"]["value"])
        if screenshot is not None:
            metrics = pipe.send("Page.getLayoutMetrics", session=session)
            size = metrics.get("cssContentSize") or metrics["contentSize"]
            shot = pipe.send(
                "Page.captureScreenshot",
                {
                    "format": "png",
                    "captureBeyondViewport": True,
                    "clip": {
                        "x": 0,
                        "y": 0,
                        "width": width,
                        "height": min(size["height"], 16000),
                        "scale": 1,
                    },
                },
                session=session,
                timeout=60,
            )
            screenshot.parent.mkdir(parents=True, exist_ok=True)
            screenshot.write_bytes(base64.b64decode(shot["data"]))
        pipe.send("Runtime.evaluate", {"expression": "1"}, session=session)  # flush events
        for event in pipe.events:
            method, params = event.get("method"), event.get("params", {})
            if method == "Runtime.consoleAPICalled":
                page.console.append({"type": params.get("type"), "args": params.get("args", [])})
            elif method == "Runtime.exceptionThrown":
                details = params.get("exceptionDetails", {})
                page.exceptions.append(
                    details.get("exception", {}).get("description") or details.get("text", "")
                )
            elif method == "Log.entryAdded":
                page.log.append(params.get("entry", {}))
            elif method == "Network.requestWillBeSent":
                page.requests.append(params.get("request", {}).get("url", ""))
        try:
            pipe.send("Browser.close", timeout=10)
        except (RuntimeError, TimeoutError):
            pass
    finally:
        os.close(to_write)
        os.close(from_read)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    return page
