import os

from fastapi import Depends, FastAPI, HTTPException
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from okta_jwt_verifier import IDTokenVerifier, JWTUtils
from okta_jwt_verifier.exceptions import JWTValidationException

app = FastAPI()
bearer = HTTPBearer()
okta = IDTokenVerifier(issuer=os.environ["OKTA_ISSUER"], client_id=os.environ["OKTA_CLIENT_ID"])


async def user(credentials: HTTPAuthorizationCredentials = Depends(bearer)) -> dict:
    try:
        await okta.verify(credentials.credentials)
    except JWTValidationException as error:
        raise HTTPException(status_code=401, detail=str(error)) from error
    return JWTUtils.parse_token(credentials.credentials)[1]


@app.get("/me")
async def me(claims: dict = Depends(user)):
    return {"email": claims["email"]}
