"""One Tap sign-in: the page posts the Google credential; we log the user in to a Django session."""

from django.conf import settings
from django.contrib.auth import get_user_model, login
from django.http import HttpResponseBadRequest
from django.shortcuts import redirect
from django.views.decorators.http import require_POST
from google.auth.transport import requests as google_requests
from google.oauth2 import id_token


@require_POST
def one_tap_login(request):
    credential = request.POST.get("credential")
    if not credential:
        return HttpResponseBadRequest("missing credential")
    try:
        # expect: id-token-login
        info = id_token.verify_oauth2_token(
            credential, google_requests.Request(), settings.GOOGLE_OAUTH_CLIENT_ID
        )
    except ValueError:
        return HttpResponseBadRequest("invalid credential")
    user, _ = get_user_model().objects.get_or_create(
        username=f"google:{info['sub']}", defaults={"email": info.get("email", "")}
    )
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    return redirect(settings.LOGIN_REDIRECT_URL)
