from authlib.jose import JsonWebKey, jwt
from authlib.jose.errors import JoseError
from authlib.oidc.core import IDToken
from django.conf import settings
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.exceptions import AuthenticationFailed

from .models import Member

KEY_SET = JsonWebKey.import_key_set(settings.OIDC_JWKS)


class OIDCTokenAuthentication(BaseAuthentication):
    def authenticate(self, request):
        header = get_authorization_header(request).decode()
        if not header.startswith("Bearer "):
            return None
        token = header.split(" ", 1)[1]
        # expect: id-token-bearer
        claims = jwt.decode(
            token,
            KEY_SET,
            claims_cls=IDToken,
            claims_options={
                "iss": {"essential": True, "value": settings.OIDC_ISSUER},
                "aud": {"essential": True, "value": settings.OIDC_CLIENT_ID},
            },
        )
        try:
            claims.validate()
        except JoseError as exc:
            raise AuthenticationFailed(str(exc)) from exc
        member = Member.objects.get(oidc_subject=claims["sub"])
        return member, claims
