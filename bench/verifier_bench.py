"""Microbenchmark: the generated verifier against calling PyJWT directly with the same cached key.

    .venv/bin/python bench/verifier_bench.py [--iterations N] [--rounds R]

Renders the Auth0 verifier (strict and dual), serves its JWKS on 127.0.0.1 so the module fetches
and caches the key once, then times verifications of a valid access token. The baseline is
`jwt.decode` with the public key object already in hand and the same checks (algorithm list,
issuer, audience, required exp/iat, leeway). Prints verifications per second and the overhead
ratio (baseline rate / verifier rate); the target is at most 1.2.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import ModuleType
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import ec, rsa

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from idtoken_migrate.config import AccessTokenConfig, Config, LegacyIdTokenConfig  # noqa: E402
from idtoken_migrate.verifier.render import render_verifier  # noqa: E402

ISSUER = "https://bench.eu.auth0.com/"
API = "https://api.example.com"


def serve(jwks: dict[str, Any]) -> tuple[ThreadingHTTPServer, str]:
    body = json.dumps(jwks).encode()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/jwks.json"


def load(source: str, directory: Path, name: str) -> ModuleType:
    path = directory / f"{name}.py"
    path.write_text(source, encoding="utf-8")
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def rates(
    calls: tuple[Callable[[], object], ...], iterations: int, rounds: int
) -> tuple[float, ...]:
    """Best-of-rounds calls per second, the calls interleaved round by round so that load from
    elsewhere on the machine hits both alike."""
    best = [float("inf")] * len(calls)
    for _ in range(rounds):
        for index, call in enumerate(calls):
            started = time.perf_counter()
            for _ in range(iterations):
                call()
            best[index] = min(best[index], time.perf_counter() - started)
    return tuple(iterations / seconds for seconds in best)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--iterations", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=9)
    args = parser.parse_args()

    keys = {
        "RS256": rsa.generate_private_key(public_exponent=65537, key_size=2048),
        "ES256": ec.generate_private_key(ec.SECP256R1()),
    }
    jwks = {"keys": []}
    for alg, private in keys.items():
        algorithm = jwt.get_algorithm_by_name(alg)
        jwk = json.loads(algorithm.to_jwk(private.public_key()))
        jwks["keys"].append({**jwk, "kid": f"k-{alg}", "alg": alg, "use": "sig"})
    server, url = serve(jwks)
    now = time.time()
    claims = {
        "iss": ISSUER,
        "sub": "auth0|bench",
        "aud": [API, ISSUER + "userinfo"],
        "azp": "AbCdEf123",
        "scope": "openid read",
        "iat": int(now),
        "exp": int(now) + 3600,
        "https://example.com/email": "bench@example.com",
    }
    config = Config(
        provider="auth0",
        issuer=ISSUER,
        jwks_uri=url,
        access_token=AccessTokenConfig(audience=(API,), algorithms=("RS256", "ES256")),
        legacy_id_token=LegacyIdTokenConfig(client_ids=("AbCdEf123",)),
        claims=(("email", "https://example.com/email"),),
    )
    print(f"{'case':<16}{'PyJWT/s':>12}{'verifier/s':>14}{'overhead':>10}")
    worst = 0.0
    with tempfile.TemporaryDirectory() as tmp:
        for phase in ("strict", "dual"):
            module = load(render_verifier(config, phase), Path(tmp), f"bench_{phase}")
            for alg, private in keys.items():
                headers = {"kid": f"k-{alg}", "typ": "JWT"}
                token = jwt.encode(claims, private, algorithm=alg, headers=headers)
                public = private.public_key()
                module.verify_token(token)  # fetches and caches the JWKS once

                def direct(token: str = token, public: Any = public, alg: str = alg) -> object:
                    return jwt.decode(
                        token,
                        public,
                        algorithms=[alg],
                        audience=API,
                        issuer=ISSUER,
                        leeway=60,
                        options={"require": ["exp", "iat", "iss", "aud"]},
                    )

                def generated(token: str = token, module: ModuleType = module) -> object:
                    return module.verify_token(token)

                baseline, ours = rates((direct, generated), args.iterations, args.rounds)
                ratio = baseline / ours
                worst = max(worst, ratio)
                print(f"{phase + ' ' + alg:<16}{baseline:>12.0f}{ours:>14.0f}{ratio:>9.2f}x")
    server.shutdown()
    print(f"worst overhead {worst:.2f}x (target <= 1.20x)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
