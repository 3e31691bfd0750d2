import json
from pathlib import Path

from fastapi import Depends, FastAPI, HTTPException
from fastapi.security import HTTPBearer
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

CLIENT_ID = "0oa1b2c3d4e5f6g7h8"
ISSUER = "https://login.example.org"
KEYS = KeySet.import_key_set(json.loads(Path("jwks.json").read_text()))
claims_registry = jwt.JWTClaimsRegistry(
    iss={"essential": True, "value": ISSUER},
    aud={"essential": True, "value": CLIENT_ID},
)

app = FastAPI()
security = HTTPBearer()


def get_user(credentials=Depends(security)):
    try:
        # expect: id-token-bearer
        token = jwt.decode(credentials.credentials, KEYS, algorithms=["RS256"])
        claims_registry.validate(token.claims)
    except JoseError as exc:
        raise HTTPException(401) from exc
    return {"sub": token.claims["sub"], "name": token.claims.get("name")}


@app.get("/whoami")
def whoami(user=Depends(get_user)):
    return user
