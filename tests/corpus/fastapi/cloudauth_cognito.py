import os

from fastapi import Depends, FastAPI
from fastapi_cloudauth.cognito import Cognito, CognitoClaims, CognitoCurrentUser

app = FastAPI()

# expect: access-token
auth = Cognito(
    region=os.environ["COGNITO_REGION"],
    userPoolId=os.environ["COGNITO_USERPOOL_ID"],
    client_id=os.environ["COGNITO_APP_CLIENT_ID"],
)

# expect: id-token-bearer
get_current_user = CognitoCurrentUser(
    region=os.environ["COGNITO_REGION"],
    userPoolId=os.environ["COGNITO_USERPOOL_ID"],
    client_id=os.environ["COGNITO_APP_CLIENT_ID"],
)


@app.get("/admin", dependencies=[Depends(auth.scope(["admin"]))])
def admin_area():
    return {"ok": True}


@app.get("/user/")
def me(current_user: CognitoClaims = Depends(get_current_user)):
    return {"username": current_user.username, "email": current_user.email}
