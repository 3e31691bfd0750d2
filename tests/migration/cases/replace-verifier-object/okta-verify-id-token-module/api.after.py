
from okta_jwt_verifier import JWTUtils
from starlette.requests import Request
from starlette.responses import JSONResponse

from token_verifier import verify_token


async def whoami(request: Request) -> JSONResponse:
    token = request.headers["authorization"].removeprefix("Bearer ")
    try:
        verify_token(token)
    except Exception:
        return JSONResponse({"error": "invalid token"}, status_code=401)
    return JSONResponse({"sub": JWTUtils.parse_token(token)[1]["sub"]})
