# Written against PyJWT 1.7 (requirements pin: PyJWT==1.7.1).
import jwt
from django.contrib.auth.models import User


class HeaderTokenMiddleware(object):
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        auth_header = request.META.get("HTTP_AUTHORIZATION")
        if auth_header and auth_header.startswith("JWT "):
            token = auth_header.split(" ")[1]
            # expect: unverified-decode
            payload = jwt.decode(token, verify=False)
            request.user = User.objects.filter(email=payload["email"]).first()
        return self.get_response(request)
