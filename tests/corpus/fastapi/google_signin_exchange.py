"""Sign-in exchange: the SPA posts Google's ID token once, the API answers with its own JWT."""
# corpus: class=1 provider=google

import os
from datetime import datetime, timedelta, timezone

import jwt
from fastapi import APIRouter, Depends, Header, HTTPException
from google.auth.transport import requests as google_requests
from google.oauth2 import id_token

router = APIRouter(prefix="/auth")
GOOGLE_CLIENT_ID = os.environ["GOOGLE_CLIENT_ID"]
SESSION_KEY = os.environ["SESSION_SIGNING_KEY"]


def create_access_token(subject: str) -> str:
    expires = datetime.now(timezone.utc) + timedelta(hours=8)
    return jwt.encode({"sub": subject, "exp": expires}, SESSION_KEY, algorithm="HS256")


@router.post("/google")
def exchange_google_token(authorization: str = Header(...), db=Depends(lambda: None)):
    raw = authorization.removeprefix("Bearer ")
    try:
        # expect: id-token-login
        info = id_token.verify_oauth2_token(raw, google_requests.Request(), GOOGLE_CLIENT_ID)
    except ValueError:
        raise HTTPException(status_code=401, detail="bad Google credential")
    user_id = f"google|{info['sub']}"
    return {"access_token": create_access_token(user_id), "email": info.get("email")}
