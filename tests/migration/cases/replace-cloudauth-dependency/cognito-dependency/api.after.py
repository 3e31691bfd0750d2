import os

import fastapi.security
import pydantic
from fastapi import Depends, FastAPI
from fastapi_cloudauth.cognito import Cognito, CognitoClaims

from token_verifier import TokenRejected, http_error, verify_token

REGION = os.environ["AWS_REGION"]
POOL = os.environ["COGNITO_POOL_ID"]
APP_CLIENT = os.environ["COGNITO_APP_CLIENT_ID"]

app = FastAPI()
scoped = Cognito(region=REGION, userPoolId=POOL, client_id=APP_CLIENT)


def signed_in(
    credentials: fastapi.security.HTTPAuthorizationCredentials = fastapi.Depends(
        fastapi.security.HTTPBearer(auto_error=False)
    ),
) -> CognitoClaims:
    """The caller's claims as CognitoClaims, the bearer token checked by the generated verifier
    (idtoken-migrate replaced fastapi-cloudauth's CognitoCurrentUser here: it took ID tokens)."""
    rejected = None
    if credentials is not None:
        try:
            return CognitoClaims(**verify_token(credentials.credentials))
        except TokenRejected as error:
            rejected = error
        except pydantic.ValidationError:
            detail = "the token lacks claims of CognitoClaims"
            raise fastapi.HTTPException(401, detail=detail) from None
    status, headers, body = http_error(rejected)
    raise fastapi.HTTPException(status, detail=body, headers=headers)


@app.get("/admin", dependencies=[Depends(scoped.scope(["admin"]))])
def admin():
    return {"ok": True}


@app.get("/profile")
def profile(user: CognitoClaims = Depends(signed_in)):
    return {"username": user.username}


@app.get("/ping")
def ping(_: CognitoClaims = Depends(signed_in)):
    return "pong"
