import os

from okta_jwt_verifier import JWTUtils, JWTVerifier
from starlette.requests import Request
from starlette.responses import JSONResponse

verifier = JWTVerifier(os.environ["OKTA_ISSUER"], os.environ["OKTA_CLIENT_ID"], "api://default")


async def whoami(request: Request) -> JSONResponse:
    token = request.headers["authorization"].removeprefix("Bearer ")
    try:
        await verifier.verify_id_token(token, claims_to_verify=("iss", "aud", "exp"))
    except Exception:
        return JSONResponse({"error": "invalid token"}, status_code=401)
    return JSONResponse({"sub": JWTUtils.parse_token(token)[1]["sub"]})
