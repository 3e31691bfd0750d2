from fastapi import Depends, FastAPI, HTTPException, Request
from joserfc import jwt
from joserfc.jwk import KeySet

from .keys import load_keyset

API_IDENTIFIER = "https://billing.example.com/api"
ISSUER = "https://auth.example.com/"

app = FastAPI()
keyset: KeySet = load_keyset()
registry = jwt.JWTClaimsRegistry(
    iss={"essential": True, "value": ISSUER},
    aud={"essential": True, "value": API_IDENTIFIER},
)


async def access_claims(request: Request) -> dict:
    raw = request.headers.get("Authorization", "").removeprefix("Bearer ")
    # expect: access-token
    token = jwt.decode(raw, keyset, algorithms=["RS256"])
    registry.validate(token.claims)
    if "invoices:read" not in token.claims.get("scope", "").split():
        raise HTTPException(403)
    return token.claims


@app.get("/invoices")
async def invoices(claims: dict = Depends(access_claims)):
    return {"customer": claims["sub"], "invoices": []}
