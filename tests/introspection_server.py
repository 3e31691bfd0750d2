"""A local RFC 7662 introspection endpoint on 127.0.0.1 for the verifier and e2e tests: answers
as Keycloak and Okta do, or misbehaves on request (slow, 500, broken JSON, huge body, redirect)."""

from __future__ import annotations

import contextlib
import json
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class IntrospectionServer:
    """POST /introspect: `answers[token]` (a dict), or a behaviour set by `mode`."""

    def __init__(self) -> None:
        self.answers: dict[str, dict[str, Any]] = {}
        self.mode = "ok"  # ok | slow | status500 | malformed | huge | redirect | array
        self.delay = 0.0
        self.calls: list[dict[str, Any]] = []
        self._lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                form = urllib.parse.parse_qs(self.rfile.read(length).decode())
                with server._lock:
                    server.calls.append(
                        {"form": form, "authorization": self.headers.get("Authorization")}
                    )
                server.answer(self, form.get("token", [""])[0])

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/introspect"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def answer(self, handler: BaseHTTPRequestHandler, token: str) -> None:
        mode = self.mode
        if mode == "slow":
            time.sleep(self.delay)
        if mode == "status500":
            handler.send_error(500)
            return
        if mode == "redirect":
            handler.send_response(307)
            handler.send_header("Location", self.url + "?again")
            handler.send_header("Content-Length", "0")
            handler.end_headers()
            return
        answer = self.answers.get(token, {"active": False})
        body = {
            "malformed": b'{"active": true, "exp": ',
            "huge": json.dumps({**answer, "pad": "x" * 200_000}).encode(),
            "array": b"[true]",
        }.get(mode, json.dumps(answer).encode())
        handler.send_response(200)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):  # the client gave up
            handler.wfile.write(body)

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
