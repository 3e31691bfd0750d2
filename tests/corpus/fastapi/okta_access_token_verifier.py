from fastapi import Depends, FastAPI, HTTPException, Request
from okta_jwt_verifier import AccessTokenVerifier

OKTA_ISSUER = "https://dev-123456.okta.com/oauth2/default"

app = FastAPI()


async def require_access_token(request: Request) -> str:
    authorization = request.headers.get("authorization", "")
    if not authorization.startswith("Bearer "):
        raise HTTPException(status_code=401)
    token = authorization.split(" ", 1)[1]
    # expect: access-token
    verifier = AccessTokenVerifier(issuer=OKTA_ISSUER, audience="api://default")
    try:
        await verifier.verify(token)
    except Exception:
        raise HTTPException(status_code=401) from None
    return token


@app.get("/inventory")
async def inventory(_: str = Depends(require_access_token)):
    return {"items": []}
