from fastapi import APIRouter, Depends
from fastapi_cloudauth.auth0 import Auth0CurrentUser

from settings import AUTH0_CLIENT_ID, AUTH0_DOMAIN

router = APIRouter()
who = Auth0CurrentUser(domain=AUTH0_DOMAIN, client_id=AUTH0_CLIENT_ID)


@router.get("/whoami")
async def whoami(claims=Depends(who)):
    return {"email": claims.email}
