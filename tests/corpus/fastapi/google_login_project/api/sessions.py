"""Sign-in route: the helper's claims become the app's own access token, once."""

from fastapi import APIRouter, HTTPException
from pydantic import BaseModel

from ..services.google_identity import verify_google_credential
from ..security import create_access_token

router = APIRouter()


class SignIn(BaseModel):
    credential: str


@router.post("/sessions/google")
def sign_in(body: SignIn):
    try:
        profile = verify_google_credential(body.credential)
    except ValueError as exc:
        raise HTTPException(status_code=401, detail=str(exc))
    return {"access_token": create_access_token(profile["sub"]), "token_type": "bearer"}
