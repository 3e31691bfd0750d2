"""gRPC server interceptor authenticating calls with the caller's OIDC token."""

import grpc
import jwt

from .config import OIDC_CLIENT_ID, OIDC_ISSUER, OIDC_PUBLIC_KEY

_decoder = jwt.PyJWT(options={"require": ["exp", "iat", "sub"]})


class OidcInterceptor(grpc.ServerInterceptor):
    def intercept_service(self, continuation, handler_call_details):
        metadata = dict(handler_call_details.invocation_metadata)
        token = metadata.get("authorization", "").removeprefix("Bearer ")
        try:
            # expect: id-token-bearer
            payload = _decoder.decode(
                token,
                OIDC_PUBLIC_KEY,
                algorithms=["RS256"],
                audience=OIDC_CLIENT_ID,
                issuer=OIDC_ISSUER,
            )
        except jwt.InvalidTokenError:
            return _deny()
        if not payload.get("email_verified"):
            return _deny()
        return continuation(handler_call_details)


def _deny():
    def abort(request, context):
        context.abort(grpc.StatusCode.UNAUTHENTICATED, "invalid token")

    return grpc.unary_unary_rpc_method_handler(abort)
