from fastapi import Depends, FastAPI
from fastapi_cloudauth.cognito import CognitoCurrentUser
from pydantic import BaseModel, Field

from settings import CLIENT_ID, POOL_ID, REGION


class Groups(BaseModel):
    groups: list[str] = Field(alias="cognito:groups")


app = FastAPI()
current = CognitoCurrentUser(region=REGION, userPoolId=POOL_ID, client_id=CLIENT_ID)


@app.get("/groups")
def groups(claims: Groups = Depends(current.claim(Groups))):
    return claims.groups
