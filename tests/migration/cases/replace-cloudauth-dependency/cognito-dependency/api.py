import os

from fastapi import Depends, FastAPI
from fastapi_cloudauth.cognito import Cognito, CognitoClaims, CognitoCurrentUser

REGION = os.environ["AWS_REGION"]
POOL = os.environ["COGNITO_POOL_ID"]
APP_CLIENT = os.environ["COGNITO_APP_CLIENT_ID"]

app = FastAPI()
scoped = Cognito(region=REGION, userPoolId=POOL, client_id=APP_CLIENT)
signed_in = CognitoCurrentUser(region=REGION, userPoolId=POOL, client_id=APP_CLIENT)


@app.get("/admin", dependencies=[Depends(scoped.scope(["admin"]))])
def admin():
    return {"ok": True}


@app.get("/profile")
def profile(user: CognitoClaims = Depends(signed_in)):
    return {"username": user.username}


@app.get("/ping")
def ping(_: CognitoClaims = Depends(signed_in)):
    return "pong"
