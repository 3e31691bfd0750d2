from fastapi import Depends, FastAPI
from fastapi_cloudauth.auth0 import Auth0Claims, Auth0CurrentUser

from settings import AUTH0_CLIENT_ID, AUTH0_DOMAIN

app = FastAPI()


@app.get("/account")
def account(
    user: Auth0Claims = Depends(Auth0CurrentUser(domain=AUTH0_DOMAIN, client_id=AUTH0_CLIENT_ID)),
):
    return {"email": user.email}
