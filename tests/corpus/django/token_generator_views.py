"""Account activation with Django's own token machinery: nothing to do with OIDC."""

from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import default_token_generator
from django.core import signing
from django.http import Http404, HttpResponse
from django.utils.encoding import force_str
from django.utils.http import urlsafe_base64_decode


def activate(request, uidb64, token):
    uid = force_str(urlsafe_base64_decode(uidb64))
    user = get_user_model().objects.filter(pk=uid).first()
    if user is None or not default_token_generator.check_token(user, token):
        raise Http404
    user.is_active = True
    user.save(update_fields=["is_active"])
    return HttpResponse("activated")


def unsubscribe(request):
    try:
        data = signing.loads(request.GET["token"], salt="newsletter", max_age=86400 * 30)
    except signing.BadSignature:
        raise Http404 from None
    return HttpResponse(f"unsubscribed {data['email']}")
