"""A real standalone Switchboard for the tests: the packaged jar as its own process, on a free port."""

from __future__ import annotations

import atexit
import os
import pathlib
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.request
from typing import List, Optional

REPO = pathlib.Path(__file__).resolve().parents[3]
JAR = REPO / "switchboard-server" / "target" / "switchboard" / "switchboard.jar"


def java() -> str:
    """The JDK the build uses: $JAVA_HOME, else what scripts/find-jdk.sh finds."""
    home = os.environ.get("JAVA_HOME")
    if not home or not (pathlib.Path(home) / "bin" / "java").exists():
        home = subprocess.run([str(REPO / "scripts" / "find-jdk.sh")], capture_output=True, text=True,
                              check=True).stdout.strip()
    return str(pathlib.Path(home) / "bin" / "java")


def java_cli(*args: str, cwd: str, stdin: bytes = b"", timeout: float = 120) -> subprocess.CompletedProcess:
    """Runs the Java CLI (the packaged jar) as a user would through ./switchboard."""
    return subprocess.run([java(), "--sun-misc-unsafe-memory-access=allow", "-jar", str(JAR), *args], cwd=cwd,
                          input=stdin, capture_output=True, timeout=timeout)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Standalone:
    """``switchboard standalone`` in a temporary work dir; its data dir is ./switchboard-data there, so both CLIs
    find the dev-token by default when run from :attr:`work_dir`."""

    def __init__(self) -> None:
        if not JAR.exists():
            raise RuntimeError("the server is not packaged at %s: run ./mvnw -B package -DskipTests (or .ci/run)" % JAR)
        self.work_dir = tempfile.mkdtemp(prefix="sb-python-")
        self.port = free_port()
        self.url = "http://127.0.0.1:%d" % self.port
        self.log = open(os.path.join(self.work_dir, "standalone.log"), "wb")
        self.process: Optional[subprocess.Popen] = subprocess.Popen(
            [java(), "--sun-misc-unsafe-memory-access=allow", "-jar", str(JAR), "standalone", "--data-dir",
             "switchboard-data", "--port", str(self.port)], cwd=self.work_dir, stdout=self.log,
            stderr=subprocess.STDOUT)
        self._await_ready(120)

    @property
    def token(self) -> str:
        with open(os.path.join(self.work_dir, "switchboard-data", "dev-token"), encoding="utf-8") as f:
            return f.read().strip()

    def _await_ready(self, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError("standalone exited: " + self.log_text())
            try:
                with urllib.request.urlopen(self.url + "/health/ready", timeout=2) as r:
                    if r.status == 200:
                        return
            except OSError:
                pass
            time.sleep(0.2)  # polling a condition, not waiting for time to pass
        raise RuntimeError("standalone not ready in %d s: %s" % (seconds, self.log_text()))

    def log_text(self) -> str:
        with open(os.path.join(self.work_dir, "standalone.log"), encoding="utf-8", errors="replace") as f:
            return f.read()[-4000:]

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)
            self.process = None
        self.log.close()
        shutil.rmtree(self.work_dir, ignore_errors=True)


_shared: List[Standalone] = []


def shared() -> Standalone:
    """One standalone for the whole test run (starting one costs seconds)."""
    if not _shared:
        _shared.append(Standalone())
        atexit.register(stop_shared)
    return _shared[0]


def stop_shared() -> None:
    while _shared:
        _shared.pop().stop()
