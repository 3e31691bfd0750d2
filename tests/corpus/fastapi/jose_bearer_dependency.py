from functools import lru_cache

import httpx
from fastapi import Depends, FastAPI, HTTPException, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from jose import JWTError, jwt

from .config import settings

app = FastAPI()
bearer = HTTPBearer()


@lru_cache(maxsize=1)
def jwks():
    return httpx.get(f"https://{settings.AUTH0_DOMAIN}/.well-known/jwks.json").json()


def current_user(creds: HTTPAuthorizationCredentials = Depends(bearer)) -> dict:
    token = creds.credentials
    kid = jwt.get_unverified_header(token)["kid"]
    key = next((k for k in jwks()["keys"] if k["kid"] == kid), None)
    if key is None:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "unknown key")
    try:
        # expect: id-token-bearer
        payload = jwt.decode(
            token,
            key,
            algorithms=["RS256"],
            audience=settings.AUTH0_CLIENT_ID,
            issuer=f"https://{settings.AUTH0_DOMAIN}/",
        )
    except JWTError as exc:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "invalid token") from exc
    return {"id": payload["sub"], "email": payload.get("email"), "name": payload.get("name")}


@app.get("/me")
def me(user: dict = Depends(current_user)):
    return user
