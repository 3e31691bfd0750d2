"""Django 1.x middleware on Python 2: python-jose with the API's audience (access tokens)."""
# corpus: class=7 provider=auth0
from django.conf import settings
from django.http import HttpResponse
from jose import jwt, JWTError


class BearerMiddleware(object):
    def process_request(self, request):
        header = request.META.get('HTTP_AUTHORIZATION', '')
        if not header.startswith('Bearer '):
            return None
        try:
            # expect: access-token
            request.claims = jwt.decode(header[7:], settings.AUTH0_JWKS, algorithms=['RS256'],
                                        audience=settings.API_IDENTIFIER)
        except JWTError, error:
            print "rejected:", error
            return HttpResponse(status=401)
        return None
