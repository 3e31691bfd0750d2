from authlib.jose import JsonWebKey, jwt
from authlib.jose.errors import JoseError
from fastapi import Depends, FastAPI, HTTPException, Request

from .settings import settings

app = FastAPI()
keys = JsonWebKey.import_key_set(settings.jwks)


async def access_claims(request: Request):
    raw = request.headers.get("authorization", "").removeprefix("Bearer ")
    # expect: access-token
    claims = jwt.decode(
        raw,
        keys,
        claims_options={
            "iss": {"essential": True, "value": settings.ISSUER},
            "aud": {"essential": True, "value": settings.API_AUDIENCE},
        },
    )
    try:
        claims.validate()
    except JoseError as exc:
        raise HTTPException(401) from exc
    return claims


@app.get("/reports")
async def reports(claims=Depends(access_claims)):
    return {"scopes": claims.get("scope", "").split()}
