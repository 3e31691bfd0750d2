import jwt
import requests
from django.conf import settings
from django.contrib.auth import get_user_model, login
from django.http import HttpResponseBadRequest
from django.shortcuts import redirect

_jwks = jwt.PyJWKClient(settings.OIDC_JWKS_URL)


def oidc_callback(request):
    if request.GET.get("state") != request.session.pop("oidc_state", None):
        return HttpResponseBadRequest("bad state")
    token_response = requests.post(
        settings.OIDC_TOKEN_URL,
        data={
            "grant_type": "authorization_code",
            "code": request.GET["code"],
            "redirect_uri": request.build_absolute_uri("/oidc/callback/"),
            "client_id": settings.OIDC_CLIENT_ID,
            "client_secret": settings.OIDC_CLIENT_SECRET,
        },
        timeout=10,
    ).json()
    id_token = token_response["id_token"]
    key = _jwks.get_signing_key_from_jwt(id_token)
    # expect: id-token-login
    claims = jwt.decode(
        id_token, key.key, algorithms=["RS256"], audience=settings.OIDC_CLIENT_ID,
        issuer=settings.OIDC_ISSUER,
    )
    if claims.get("nonce") != request.session.pop("oidc_nonce", None):
        return HttpResponseBadRequest("bad nonce")
    user, _ = get_user_model().objects.get_or_create(
        username=claims["sub"], defaults={"email": claims.get("email", "")}
    )
    login(request, user)
    return redirect("/")
