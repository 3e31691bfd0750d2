import cognitojwt
from django.conf import settings
from django.contrib.auth import get_user_model
from rest_framework import authentication, exceptions


class CognitoAuthentication(authentication.BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request):
        auth = authentication.get_authorization_header(request).split()
        if not auth or auth[0].lower() != self.keyword.lower().encode():
            return None
        token = auth[1].decode()
        try:
            # expect: id-token-bearer
            claims = cognitojwt.decode(
                token,
                settings.COGNITO_AWS_REGION,
                settings.COGNITO_USER_POOL,
                app_client_id=settings.COGNITO_APP_CLIENT_ID,
            )
        except (ValueError, cognitojwt.CognitoJWTException) as exc:
            raise exceptions.AuthenticationFailed("Invalid token") from exc
        user, _ = get_user_model().objects.get_or_create(
            username=claims["cognito:username"], defaults={"email": claims.get("email", "")}
        )
        return user, token

    def authenticate_header(self, request):
        return self.keyword
