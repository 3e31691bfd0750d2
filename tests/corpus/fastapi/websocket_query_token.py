"""Browsers cannot set headers on WebSocket upgrades, so the token travels in the query string."""

from fastapi import FastAPI, Query, WebSocket, WebSocketException, status
from jose import JWTError
from jose import jwt as jose_jwt

from .settings import settings

app = FastAPI()


@app.websocket("/ws/notifications")
async def notifications(websocket: WebSocket, token: str = Query(...)):
    try:
        # expect: id-token-bearer
        claims = jose_jwt.decode(
            token, settings.jwks, algorithms=["RS256"], audience=settings.oidc_client_id
        )
    except JWTError:
        raise WebSocketException(code=status.WS_1008_POLICY_VIOLATION) from None
    await websocket.accept()
    await websocket.send_json({"hello": claims.get("name")})
