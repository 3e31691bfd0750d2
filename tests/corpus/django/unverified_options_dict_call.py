import jwt
from django.http import JsonResponse
from django.views import View


class WhoAmIView(View):
    def get(self, request):
        token = request.headers.get("Authorization", "").replace("Bearer ", "")
        # expect: unverified-decode
        claims = jwt.decode(token, algorithms=["RS256"], options=dict(verify_signature=False))
        if "support" not in claims.get("groups", []):
            return JsonResponse({"error": "forbidden"}, status=403)
        return JsonResponse({"user": claims["preferred_username"]})
