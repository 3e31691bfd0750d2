"""Issues short-lived tokens for our own internal services (we are the issuer here)."""

import datetime as dt
import os

import jwt

SIGNING_KEY = os.environ["INTERNAL_SIGNING_KEY"]
ISSUER = "https://internal.example.com"


def issue_service_token(service: str, scopes: list[str]) -> str:
    now = dt.datetime.now(tz=dt.timezone.utc)
    claims = {
        "iss": ISSUER,
        "sub": service,
        "aud": "internal-services",
        "scope": " ".join(scopes),
        "iat": now,
        "exp": now + dt.timedelta(minutes=5),
    }
    return jwt.encode(claims, SIGNING_KEY, algorithm="HS256", headers={"kid": "internal-1"})


def authorization_header(service: str) -> dict[str, str]:
    token = issue_service_token(service, ["metrics:write"])
    return {"Authorization": f"Bearer {token}"}
