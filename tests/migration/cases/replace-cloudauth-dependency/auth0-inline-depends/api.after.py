import fastapi.security
import pydantic
from fastapi import Depends, FastAPI
from fastapi_cloudauth.auth0 import Auth0Claims

from token_verifier import TokenRejected, http_error, verify_token

app = FastAPI()


def auth0_current_user(
    credentials: fastapi.security.HTTPAuthorizationCredentials = fastapi.Depends(
        fastapi.security.HTTPBearer(auto_error=False)
    ),
) -> Auth0Claims:
    """The caller's claims as Auth0Claims, the bearer token checked by the generated verifier
    (idtoken-migrate replaced fastapi-cloudauth's Auth0CurrentUser here: it took ID tokens)."""
    rejected = None
    if credentials is not None:
        try:
            return Auth0Claims(**verify_token(credentials.credentials))
        except TokenRejected as error:
            rejected = error
        except pydantic.ValidationError:
            detail = "the token lacks claims of Auth0Claims"
            raise fastapi.HTTPException(401, detail=detail) from None
    status, headers, body = http_error(rejected)
    raise fastapi.HTTPException(status, detail=body, headers=headers)


@app.get("/account")
def account(
    user: Auth0Claims = Depends(auth0_current_user),
):
    return {"email": user.email}
