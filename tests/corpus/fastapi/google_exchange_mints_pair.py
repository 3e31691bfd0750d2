"""Mobile sign-in: the Google ID token comes once; the API answers with its own token pair."""
# corpus: class=1 provider=google

from fastapi import APIRouter, HTTPException
from google.auth.transport import requests as google_requests
from google.oauth2 import id_token
from pydantic import BaseModel

from .tokens import mint_access, mint_refresh

router = APIRouter(prefix="/auth")
AUDIENCES = ["ios-client.apps.googleusercontent.com", "android-client.apps.googleusercontent.com"]


class GoogleIn(BaseModel):
    id_token: str


@router.post("/google")
async def google_exchange(body: GoogleIn):
    try:
        # expect: id-token-login
        info = id_token.verify_oauth2_token(body.id_token, google_requests.Request(), AUDIENCES)
    except ValueError:
        raise HTTPException(status_code=401, detail="invalid_google_token")
    uid = info["sub"]
    return {"access_token": mint_access(uid), "refresh_token": mint_refresh(uid)}
