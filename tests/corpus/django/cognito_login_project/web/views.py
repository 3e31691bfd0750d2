"""The hosted UI redirects here with the ID token; the view opens a Django session."""

from django.contrib.auth import get_user_model, login
from django.http import JsonResponse

from accounts.cognito import check_cognito_token


def cognito_login(request):
    claims = check_cognito_token(request.GET.get("id_token", ""))
    if claims is None:
        return JsonResponse({"ok": False}, status=401)
    user, _ = get_user_model().objects.get_or_create(
        username=claims["cognito:username"], defaults={"email": claims.get("email", "")}
    )
    login(request, user)
    return JsonResponse({"ok": True})
