from fastapi import Depends, FastAPI
from fastapi_cloudauth.auth0 import Auth0Claims, Auth0CurrentUser

from .config import AUTH0_CLIENT_ID, AUTH0_DOMAIN

app = FastAPI()


@app.get("/account")
def account(
    # expect: id-token-bearer
    user: Auth0Claims = Depends(Auth0CurrentUser(domain=AUTH0_DOMAIN, client_id=AUTH0_CLIENT_ID)),
):
    return {"username": user.username, "email": user.email}


@app.get("/health")
def health():
    return {"status": "ok"}
