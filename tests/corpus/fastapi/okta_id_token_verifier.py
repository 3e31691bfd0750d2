import os

from fastapi import Depends, FastAPI, Header, HTTPException
from okta_jwt_verifier import IDTokenVerifier

app = FastAPI()

# expect: id-token-bearer
id_token_verifier = IDTokenVerifier(
    issuer=os.environ["OKTA_ISSUER"],
    client_id=os.environ["OKTA_CLIENT_ID"],
    audience=os.environ["OKTA_CLIENT_ID"],
)


async def okta_user(authorization: str = Header(...)):
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer":
        raise HTTPException(401)
    try:
        await id_token_verifier.verify(token)
    except Exception as exc:
        raise HTTPException(401, "invalid token") from exc
    return token


@app.get("/api/documents")
async def documents(token: str = Depends(okta_user)):
    return {"documents": []}
