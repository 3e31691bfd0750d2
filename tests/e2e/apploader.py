"""Load a fixture app from a folder, in isolation, and drive it through its framework's test client.

Two isolation modes, same interface (:class:`LoadedApp`):

* ``inprocess`` (default for Flask and FastAPI): the folder is put first on ``sys.path`` only while
  its entry module is imported; colliding ``sys.modules`` entries (``app``, ``settings``,
  ``auth``...) are set aside before and restored after, and every module loaded from the folder
  is removed again, so the same app can be loaded from the original folder and from a patched
  copy side by side. The loaded objects keep their own module globals alive.
* ``subprocess`` (always for Django, optional for the others): a fresh interpreter runs this file
  as a worker (``python apploader.py``) and answers requests over a JSON-lines pipe. Django's
  settings are a process-wide singleton, so this is how several Django projects (or the original
  and a migrated copy) are tested in one pytest process, with or without pytest-xdist.

Environment: ``env`` given at load time is applied while importing and around every request
(``os.environ`` is restored afterwards); per-request ``env=`` overrides are layered on top, e.g. to
flip a kill switch. Log records emitted during a request are returned in ``Response.logs``.

This file must stay importable on its own (no package-relative imports): the worker runs it as a
script.
"""

from __future__ import annotations

import contextlib
import importlib
import json
import logging
import os
import selectors
import subprocess
import sys
import traceback
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = ["AppSpec", "LoadedApp", "Response", "load_app"]

WORKER_TIMEOUT = float(os.environ.get("E2E_WORKER_TIMEOUT", "60"))


@dataclass(frozen=True)
class AppSpec:
    """How to load one app. ``target`` is ``module:attr`` for Flask/FastAPI (the WSGI/ASGI app)
    or the settings module for Django (``DJANGO_SETTINGS_MODULE``)."""

    framework: str  # flask | fastapi | django
    target: str


@dataclass
class Response:
    status: int
    text: str
    headers: dict[str, str] = field(default_factory=dict)
    logs: list[str] = field(default_factory=list)

    @property
    def status_code(self) -> int:
        return self.status

    def json(self) -> Any:
        return json.loads(self.text)

    def __repr__(self) -> str:
        return f"<Response {self.status} {self.text[:200]!r}>"


# ------------------------------------------------------------------------------ shared helpers


@contextlib.contextmanager
def _environ(overlay: dict[str, str | None]) -> Iterator[None]:
    saved = {k: os.environ.get(k) for k in overlay}
    try:
        for k, v in overlay.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
        yield
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


class _ListHandler(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        with contextlib.suppress(Exception):
            self.lines.append(f"{record.levelname} {record.name}: {record.getMessage()}")


@contextlib.contextmanager
def _capture_logs() -> Iterator[list[str]]:
    root = logging.getLogger()
    handler = _ListHandler()
    old_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    try:
        yield handler.lines
    finally:
        root.removeHandler(handler)
        root.setLevel(old_level)


def _top_level_names(folder: Path) -> set[str]:
    names = set()
    for child in folder.iterdir():
        if child.suffix == ".py":
            names.add(child.stem)
        elif child.is_dir() and (child / "__init__.py").exists():
            names.add(child.name)
    return names


def _under(module: Any, folder: Path) -> bool:
    f = getattr(module, "__file__", None)
    if not f:
        paths = list(getattr(module, "__path__", []) or [])
        f = paths[0] if paths else None
    if not f:
        return False
    try:
        Path(f).resolve().relative_to(folder)
        return True
    except ValueError:
        return False


def _import_isolated(folder: Path, target: str) -> Any:
    """Import ``module:attr`` from ``folder`` without leaving its modules in sys.modules."""
    folder = folder.resolve()
    module_name, _, attr = target.partition(":")
    local = _top_level_names(folder)
    shadowed = {
        n: m
        for n, m in sys.modules.items()
        if n.split(".", 1)[0] in local and not _under(m, folder)
    }
    for n in shadowed:
        del sys.modules[n]
    sys.path.insert(0, str(folder))
    # No .pyc next to the sources: a copy edited within the same second as its first import
    # (same mtime and size) would otherwise be loaded from a stale cache.
    saved_dont_write = sys.dont_write_bytecode
    sys.dont_write_bytecode = True
    try:
        importlib.invalidate_caches()
        module = importlib.import_module(module_name)
        obj = getattr(module, attr) if attr else module
    finally:
        sys.dont_write_bytecode = saved_dont_write
        with contextlib.suppress(ValueError):
            sys.path.remove(str(folder))
        for n, m in list(sys.modules.items()):
            if m is not None and _under(m, folder):
                del sys.modules[n]
        sys.modules.update(shadowed)
    return obj


# ----------------------------------------------------------------------- framework drivers


class _Driver:
    def request(self, method: str, path: str, headers: dict[str, str], body: str | None):
        raise NotImplementedError

    def close(self) -> None:
        pass


class _FlaskDriver(_Driver):
    def __init__(self, app: Any) -> None:
        app.testing = False  # like production: exceptions become 500s, not test failures
        app.config["PROPAGATE_EXCEPTIONS"] = False
        self.client = app.test_client()

    def request(self, method, path, headers, body):
        r = self.client.open(path, method=method, headers=headers, data=body)
        return r.status_code, r.get_data(as_text=True), dict(r.headers)


class _FastAPIDriver(_Driver):
    def __init__(self, app: Any) -> None:
        from fastapi.testclient import TestClient

        self.client = TestClient(app, raise_server_exceptions=False)

    def request(self, method, path, headers, body):
        r = self.client.request(method, path, headers=headers, content=body)
        return r.status_code, r.text, dict(r.headers)

    def close(self) -> None:
        self.client.close()


class _DjangoDriver(_Driver):
    """Only ever instantiated inside a worker process (one Django project per process)."""

    def __init__(self, folder: Path, settings_module: str) -> None:
        sys.path.insert(0, str(folder))
        os.environ["DJANGO_SETTINGS_MODULE"] = settings_module
        import django

        django.setup()
        from django.test import Client

        self.client = Client(raise_request_exception=False)

    def request(self, method, path, headers, body):
        kwargs: dict[str, Any] = {"headers": headers}
        if body is not None:
            kwargs.update(data=body, content_type=headers.get("Content-Type", "application/json"))
        r = self.client.generic(method, path, **kwargs)
        return r.status_code, r.content.decode("utf-8", "replace"), dict(r.headers.items())


def _make_driver(spec: AppSpec, folder: Path) -> _Driver:
    if spec.framework == "django":
        return _DjangoDriver(folder, spec.target)
    app = _import_isolated(folder, spec.target)
    if spec.framework == "flask":
        return _FlaskDriver(app)
    if spec.framework == "fastapi":
        return _FastAPIDriver(app)
    raise ValueError(f"unknown framework {spec.framework!r}")


# ---------------------------------------------------------------------------------- LoadedApp


class LoadedApp:
    """A running fixture app. ``get(path, token=...)`` / ``request(...)`` return a Response."""

    def __init__(
        self,
        folder: Path,
        spec: AppSpec,
        env: dict[str, str],
        isolation: str,
        python: str | None = None,
    ) -> None:
        self.folder = Path(folder)
        self.python = python or sys.executable  # the worker's interpreter (subprocess only)
        self.spec = spec
        self.env = dict(env)
        self.isolation = isolation
        self._driver: _Driver | None = None
        self._proc: subprocess.Popen[str] | None = None
        if isolation == "inprocess":
            with _environ(self.env):
                self._driver = _make_driver(spec, self.folder)
        elif isolation == "subprocess":
            self._start_worker()
        else:
            raise ValueError(f"isolation must be inprocess or subprocess, not {isolation!r}")

    def _start_worker(self) -> None:
        child_env = {**os.environ, **self.env, "PYTHONDONTWRITEBYTECODE": "1"}
        # A DJANGO_SETTINGS_MODULE inherited from the parent would point at another project.
        child_env.pop("DJANGO_SETTINGS_MODULE", None)
        self._proc = subprocess.Popen(
            [self.python, "-u", str(Path(__file__).resolve()), "--worker"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=None,  # inherit: app crashes show up in pytest's captured output
            text=True,
            env=child_env,
            cwd=str(self.folder),
        )
        reply = self._call(
            {
                "folder": str(self.folder),
                "framework": self.spec.framework,
                "target": self.spec.target,
            }
        )
        if not reply.get("ready"):
            self.close()
            raise RuntimeError(f"app in {self.folder} failed to load:\n{reply.get('error')}")

    def _call(self, message: dict[str, Any]) -> dict[str, Any]:
        assert self._proc is not None and self._proc.stdin and self._proc.stdout
        self._proc.stdin.write(json.dumps(message) + "\n")
        self._proc.stdin.flush()
        # One request, one reply line: nothing is buffered ahead, so select() is reliable.
        with selectors.DefaultSelector() as sel:
            sel.register(self._proc.stdout, selectors.EVENT_READ)
            if not sel.select(WORKER_TIMEOUT):
                self._proc.kill()
                raise RuntimeError(f"worker for {self.folder} timed out after {WORKER_TIMEOUT}s")
        line = self._proc.stdout.readline()
        if not line:
            raise RuntimeError(f"worker for {self.folder} exited (code {self._proc.poll()})")
        return json.loads(line)

    def request(
        self,
        method: str,
        path: str,
        *,
        token: str | None = None,
        headers: dict[str, str] | None = None,
        body: str | None = None,
        env: dict[str, str | None] | None = None,
    ) -> Response:
        """Send a request. ``token`` sets ``Authorization: Bearer <token>``; ``env`` overlays
        environment variables for this request only (value None unsets)."""
        hdrs = dict(headers or {})
        if token is not None:
            hdrs["Authorization"] = f"Bearer {token}"
        if self._proc is not None:
            reply = self._call(
                {"method": method, "path": path, "headers": hdrs, "body": body, "env": env or {}}
            )
            if "error" in reply:
                raise RuntimeError(f"worker error:\n{reply['error']}")
            return Response(reply["status"], reply["text"], reply["headers"], reply["logs"])
        assert self._driver is not None
        with _environ({**self.env, **(env or {})}), _capture_logs() as logs:
            status, text, out_headers = self._driver.request(method, path, hdrs, body)
        return Response(status, text, out_headers, list(logs))

    def get(self, path: str, **kwargs: Any) -> Response:
        return self.request("GET", path, **kwargs)

    def close(self) -> None:
        if self._driver is not None:
            self._driver.close()
            self._driver = None
        if self._proc is not None:
            with contextlib.suppress(Exception):
                assert self._proc.stdin is not None
                self._proc.stdin.close()
            try:
                self._proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait()
            self._proc = None

    def __enter__(self) -> LoadedApp:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def load_app(
    folder: str | os.PathLike[str],
    spec: AppSpec,
    env: dict[str, str] | None = None,
    isolation: str | None = None,
    python: str | None = None,
) -> LoadedApp:
    """Load the app in ``folder`` described by ``spec``. ``isolation`` defaults to subprocess
    for Django and in-process otherwise. ``python``: the interpreter of another virtual
    environment (the library versions a legacy app pins) to run the app in; subprocess only."""
    if isolation is None:
        isolation = "subprocess" if spec.framework == "django" or python else "inprocess"
    if (spec.framework == "django" or python) and isolation != "subprocess":
        raise ValueError("Django apps and other interpreters run in a subprocess")
    return LoadedApp(Path(folder), spec, env or {}, isolation, python)


# ------------------------------------------------------------------------------------- worker


def _worker() -> None:
    # Keep the protocol channel private: anything the app prints goes to stderr.
    proto = os.fdopen(os.dup(1), "w", buffering=1)
    os.dup2(2, 1)
    sys.stdout = sys.stderr

    def send(obj: dict[str, Any]) -> None:
        proto.write(json.dumps(obj) + "\n")
        proto.flush()

    here = Path(__file__).resolve().parent
    sys.path[:] = [p for p in sys.path if p and Path(p).resolve() != here]
    first = sys.stdin.readline()
    if not first:
        return
    cfg = json.loads(first)
    try:
        driver = _make_driver(AppSpec(cfg["framework"], cfg["target"]), Path(cfg["folder"]))
    except BaseException:
        send({"ready": False, "error": traceback.format_exc()})
        return
    send({"ready": True})
    for line in sys.stdin:
        msg = json.loads(line)
        try:
            with _environ(msg.get("env") or {}), _capture_logs() as logs:
                status, text, headers = driver.request(
                    msg["method"], msg["path"], msg["headers"], msg.get("body")
                )
            send({"status": status, "text": text, "headers": headers, "logs": list(logs)})
        except BaseException:
            send({"error": traceback.format_exc()})
    driver.close()


if __name__ == "__main__" and "--worker" in sys.argv:
    _worker()
