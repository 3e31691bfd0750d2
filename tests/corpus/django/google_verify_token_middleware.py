from django.conf import settings
from django.http import HttpResponse
from google.auth.transport import requests as google_requests
from google.oauth2 import id_token

GOOGLE_CERTS_URL = "https://www.googleapis.com/oauth2/v1/certs"


class GoogleIdTokenMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.session_request = google_requests.Request()

    def __call__(self, request):
        header = request.headers.get("Authorization", "")
        if header.startswith("Bearer "):
            try:
                # expect: id-token-bearer
                info = id_token.verify_token(
                    header[7:],
                    self.session_request,
                    audience=settings.GOOGLE_CLIENT_ID,
                    certs_url=GOOGLE_CERTS_URL,
                )
            except ValueError:
                return HttpResponse("Unauthorized", status=401)
            request.google_email = info["email"]
        return self.get_response(request)
