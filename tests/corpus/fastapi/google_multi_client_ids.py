"""Google's documented pattern when several apps (web, Android, iOS) call the same backend."""

from fastapi import Depends, FastAPI, HTTPException
from fastapi.security import HTTPBearer
from google.auth.transport import requests
from google.oauth2 import id_token

from .config import ANDROID_CLIENT_ID, IOS_CLIENT_ID, WEB_CLIENT_ID

CLIENT_IDS = [WEB_CLIENT_ID, ANDROID_CLIENT_ID, IOS_CLIENT_ID]
app = FastAPI()


def google_user(creds=Depends(HTTPBearer())):
    try:
        # expect: id-token-bearer
        idinfo = id_token.verify_oauth2_token(creds.credentials, requests.Request())
        if idinfo["aud"] not in CLIENT_IDS:
            raise ValueError("Could not verify audience.")
    except ValueError as exc:
        raise HTTPException(401) from exc
    return {"id": idinfo["sub"], "email": idinfo.get("email")}


@app.get("/library")
def library(user=Depends(google_user)):
    return {"owner": user["email"], "books": []}
