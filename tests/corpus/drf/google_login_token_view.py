"""DRF sign-in view: verifies the Google credential and hands out a DRF auth token."""
# corpus: class=1 provider=google

from django.conf import settings
from django.contrib.auth import get_user_model
from google.auth.transport import requests
from google.oauth2 import id_token
from rest_framework.authtoken.models import Token
from rest_framework.response import Response
from rest_framework.views import APIView


class GoogleSignInView(APIView):
    authentication_classes = []
    permission_classes = []

    def post(self, request):
        credential = request.data.get("credential", "")
        # expect: id-token-login
        idinfo = id_token.verify_oauth2_token(
            credential, requests.Request(), settings.GOOGLE_CLIENT_ID
        )
        User = get_user_model()
        user, _ = User.objects.get_or_create(
            username=idinfo["sub"], defaults={"email": idinfo.get("email", "")}
        )
        token, _ = Token.objects.get_or_create(user=user)
        return Response({"token": token.key})
