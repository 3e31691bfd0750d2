
from fastapi import Depends, FastAPI, HTTPException
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from okta_jwt_verifier import JWTUtils
from okta_jwt_verifier.exceptions import JWTValidationException

from token_verifier import verify_token

app = FastAPI()
bearer = HTTPBearer()


async def user(credentials: HTTPAuthorizationCredentials = Depends(bearer)) -> dict:
    try:
        verify_token(credentials.credentials)
    except JWTValidationException as error:
        raise HTTPException(status_code=401, detail=str(error)) from error
    return JWTUtils.parse_token(credentials.credentials)[1]


@app.get("/me")
async def me(claims: dict = Depends(user)):
    return {"email": claims["email"]}
