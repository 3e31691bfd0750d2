"""Server-side OIDC login for the web UI: code exchange, then a session cookie."""

import os
import secrets

import httpx
from fastapi import FastAPI, HTTPException, Request
from fastapi.responses import RedirectResponse
from jose import jwt

ISSUER = os.environ["OIDC_ISSUER"]
CLIENT_ID = os.environ["OIDC_CLIENT_ID"]
CLIENT_SECRET = os.environ["OIDC_CLIENT_SECRET"]
TOKEN_URL = f"{ISSUER}/protocol/openid-connect/token"

app = FastAPI()
SESSIONS: dict[str, dict] = {}


@app.get("/auth/callback")
async def auth_callback(request: Request, code: str, state: str):
    if state != request.cookies.get("oidc_state"):
        raise HTTPException(400, "state mismatch")
    async with httpx.AsyncClient() as client:
        resp = await client.post(
            TOKEN_URL,
            data={"grant_type": "authorization_code", "code": code, "client_id": CLIENT_ID,
                  "client_secret": CLIENT_SECRET, "redirect_uri": str(request.url_for("auth_callback"))},
        )
        resp.raise_for_status()
        tokens = resp.json()
        jwks = (await client.get(f"{ISSUER}/protocol/openid-connect/certs")).json()
    # expect: id-token-login
    claims = jwt.decode(
        tokens["id_token"],
        jwks,
        algorithms=["RS256"],
        audience=CLIENT_ID,
        issuer=ISSUER,
        access_token=tokens["access_token"],
    )
    if claims.get("nonce") != request.cookies.get("oidc_nonce"):
        raise HTTPException(400, "nonce mismatch")
    sid = secrets.token_urlsafe(32)
    SESSIONS[sid] = {"sub": claims["sub"], "email": claims.get("email")}
    response = RedirectResponse("/")
    response.set_cookie("sid", sid, httponly=True, secure=True, samesite="lax")
    return response
