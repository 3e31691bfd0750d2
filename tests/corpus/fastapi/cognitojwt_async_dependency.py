import os

import cognitojwt
from fastapi import Depends, FastAPI, Header, HTTPException
from cognitojwt.exceptions import CognitoJWTException

REGION = os.environ["AWS_REGION"]
USERPOOL_ID = os.environ["COGNITO_USERPOOL_ID"]
APP_CLIENT_ID = os.environ["COGNITO_APP_CLIENT_ID"]

app = FastAPI()


async def cognito_user(authorization: str = Header(...)) -> dict:
    token = authorization.replace("Bearer ", "", 1)
    try:
        # expect: id-token-bearer
        claims = await cognitojwt.decode_async(token, REGION, USERPOOL_ID, app_client_id=APP_CLIENT_ID)
    except CognitoJWTException as exc:
        raise HTTPException(401, str(exc)) from exc
    return {"username": claims["cognito:username"], "email": claims["email"]}


@app.get("/projects")
async def projects(user: dict = Depends(cognito_user)):
    return {"owner": user["username"], "projects": []}
