import jwt
from fastapi import Depends, FastAPI, HTTPException
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

API_AUDIENCE = "https://catalog.example.com"
DECODE_KWARGS = {
    "algorithms": ["RS256"],
    "audience": API_AUDIENCE,
    "issuer": "https://example.eu.auth0.com/",
}
jwks = jwt.PyJWKClient("https://example.eu.auth0.com/.well-known/jwks.json")
app = FastAPI()


def claims(creds: HTTPAuthorizationCredentials = Depends(HTTPBearer())) -> dict:
    key = jwks.get_signing_key_from_jwt(creds.credentials).key
    try:
        # expect: access-token
        return jwt.decode(creds.credentials, key, **DECODE_KWARGS)
    except jwt.PyJWTError as exc:
        raise HTTPException(401) from exc


@app.get("/products")
def products(token_claims: dict = Depends(claims)):
    return {"client": token_claims.get("azp"), "products": []}
