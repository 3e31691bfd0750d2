from fastapi import Depends, FastAPI
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from fastapi_cloudauth.cognito import CognitoCurrentUser

from settings import Settings, get_settings

app = FastAPI()
bearer = HTTPBearer(auto_error=False)


async def current_user(
    settings: Settings = Depends(get_settings),
    credentials: HTTPAuthorizationCredentials = Depends(bearer),
):
    dependency = CognitoCurrentUser(
        region=settings.region, userPoolId=settings.pool_id, client_id=settings.client_id
    )
    return await dependency(credentials)
