"""Run an app the way its README says (`python api/app.py`) and talk to it over real HTTP.

The process starts in the app's folder with a clean environment (no PYTHONPATH, so nothing but what
the command itself puts on `sys.path` is importable besides installed packages), listens on a free
port on 127.0.0.1 given as PORT, and is stopped at the end. Its output is kept for the failure
message.
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from .apploader import Response

START_TIMEOUT = 30.0


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class HttpApp:
    """The running app: `get(path, token=None, headers=None)` -> Response."""

    def __init__(self, base: str, output: Any) -> None:
        self.base = base
        self._output = output

    def output(self) -> str:
        self._output.flush()
        return Path(self._output.name).read_text(errors="replace")

    def get(self, path: str, *, token: str | None = None, headers: dict | None = None) -> Response:
        hdrs = dict(headers or {})
        if token is not None:
            hdrs["Authorization"] = f"Bearer {token}"
        request = urllib.request.Request(self.base + path, headers=hdrs)
        try:
            with urllib.request.urlopen(request, timeout=10) as reply:
                return Response(reply.status, reply.read().decode(), dict(reply.headers))
        except urllib.error.HTTPError as err:
            return Response(err.code, err.read().decode(), dict(err.headers))


@contextlib.contextmanager
def serve(
    folder: Path, argv: Sequence[str], env: dict[str, str], ready: str = "/health"
) -> Iterator[HttpApp]:
    """`python *argv` in `folder`, with `env` and PORT; yields once `ready` answers 200."""
    port = _free_port()
    keep = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG", "SYSTEMROOT")}
    environ = {**keep, **env, "PORT": str(port), "PYTHONDONTWRITEBYTECODE": "1"}
    with tempfile.NamedTemporaryFile("w+", suffix=".log") as output:
        proc = subprocess.Popen(
            [sys.executable, *argv], cwd=folder, env=environ, stdout=output, stderr=output
        )
        app = HttpApp(f"http://127.0.0.1:{port}", output)
        command = " ".join(argv)
        try:
            deadline = time.monotonic() + START_TIMEOUT
            while True:
                if proc.poll() is not None:
                    raise AssertionError(f"{command} exited {proc.returncode}:\n{app.output()}")
                with contextlib.suppress(OSError):
                    if app.get(ready).status == 200:
                        break
                if time.monotonic() > deadline:
                    raise AssertionError(f"{command} did not answer:\n{app.output()}")
                time.sleep(0.1)
            yield app
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
