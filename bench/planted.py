"""Known positives planted in the benchmark corpus: APIs that take an ID token as their credential.

Each entry is (relative path, source). The line of the verification site ends with `# planted`;
`build_corpus.py` strips the marker and records (path, line) in the manifest, so every tool is
scored on the same lines. Sources are strings, not modules, so that linting or scanning this
repository never sees them as code.
"""

# Each site stays on one line, so that every tool reports the same line for it.
# ruff: noqa: E501

from __future__ import annotations

MARKER = "  # planted"

PLANTED: tuple[tuple[str, str], ...] = (
    (
        "services/orders/auth.py",
        '''"""Orders API: Auth0 login token accepted as the API credential (HS256, client secret)."""
from functools import wraps

import jwt
from django.conf import settings
from flask import g, jsonify, request


def requires_auth(view):
    @wraps(view)
    def wrapper(*args, **kwargs):
        header = request.headers.get("Authorization", "")
        if not header.startswith("Bearer "):
            return jsonify({"error": "missing token"}), 401
        token = header.split()[1]
        try:
            payload = jwt.decode(token, settings.AUTH0_CLIENT_SECRET, algorithms=["HS256"], audience=settings.AUTH0_CLIENT_ID)  # planted
        except jwt.InvalidTokenError:
            return jsonify({"error": "invalid token"}), 401
        g.user = payload["sub"]
        return view(*args, **kwargs)

    return wrapper
''',
    ),
    (
        "services/billing/security.py",
        '''"""Billing API: RS256 via the tenant JWKS, but the audience is the SPA's client id."""
import os

import jwt
from flask import abort, request

AUTH0_DOMAIN = os.environ["AUTH0_DOMAIN"]
AUTH0_CLIENT_ID = os.environ["AUTH0_CLIENT_ID"]
jwks_client = jwt.PyJWKClient(f"https://{AUTH0_DOMAIN}/.well-known/jwks.json")


def current_user():
    token = request.headers["Authorization"].removeprefix("Bearer ")
    key = jwks_client.get_signing_key_from_jwt(token)
    try:
        claims = jwt.decode(token, key.key, algorithms=["RS256"], audience=AUTH0_CLIENT_ID, issuer=f"https://{AUTH0_DOMAIN}/")  # planted
    except jwt.PyJWTError:
        abort(401)
    return claims["email"]
''',
    ),
    (
        "services/inventory/deps.py",
        '''"""Inventory API (FastAPI): Cognito ID token checked with python-jose."""
import os

from fastapi import Depends, HTTPException
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from jose import JWTError, jwt

COGNITO_APP_CLIENT_ID = os.environ["COGNITO_APP_CLIENT_ID"]
REGION = os.environ["AWS_REGION"]
POOL = os.environ["COGNITO_USER_POOL_ID"]
bearer = HTTPBearer()


def get_user(creds: HTTPAuthorizationCredentials = Depends(bearer)) -> dict:
    keys = load_jwks(f"https://cognito-idp.{REGION}.amazonaws.com/{POOL}/.well-known/jwks.json")
    try:
        return jwt.decode(creds.credentials, keys, algorithms=["RS256"], audience=COGNITO_APP_CLIENT_ID)  # planted
    except JWTError as exc:
        raise HTTPException(status_code=401) from exc


def load_jwks(url: str) -> dict:
    import requests

    return requests.get(url, timeout=5).json()
''',
    ),
    (
        "services/profile/google_auth.py",
        '''"""Profile API: the Google Sign-In ID token is sent as the bearer token."""
from flask import abort, request
from google.auth.transport import requests as google_requests
from google.oauth2 import id_token

GOOGLE_CLIENT_ID = "1234567890-abc.apps.googleusercontent.com"


def api_user() -> str:
    token = request.headers.get("Authorization", "").split(" ")[-1]
    try:
        info = id_token.verify_oauth2_token(token, google_requests.Request(), GOOGLE_CLIENT_ID)  # planted
    except ValueError:
        abort(401)
    return info["sub"]
''',
    ),
    (
        "services/reports/middleware.py",
        '''"""Reports (Django): middleware authenticates API calls with the OIDC ID token."""
import jwt as pyjwt
from django.conf import settings
from django.http import JsonResponse


class IdTokenMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        auth = request.META.get("HTTP_AUTHORIZATION", "")
        if auth.startswith("Bearer "):
            try:
                request.claims = pyjwt.decode(auth[7:], settings.OIDC_RP_SIGN_KEY, algorithms=["RS256"], audience=settings.OIDC_RP_CLIENT_ID)  # planted
            except pyjwt.InvalidTokenError:
                return JsonResponse({"detail": "invalid token"}, status=401)
        return self.get_response(request)
''',
    ),
    (
        "services/catalog/authentication.py",
        '''"""Catalog (DRF): an authentication class that trusts the Keycloak ID token."""
import os

import jwt
from rest_framework import authentication, exceptions

KEYCLOAK_CLIENT_ID = os.environ["KEYCLOAK_CLIENT_ID"]
KEYCLOAK_PUBLIC_KEY = os.environ["KEYCLOAK_PUBLIC_KEY"]


class KeycloakIdTokenAuthentication(authentication.BaseAuthentication):
    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if len(header) != 2:
            return None
        token = header[1].decode()
        try:
            claims = jwt.decode(token, KEYCLOAK_PUBLIC_KEY, algorithms=["RS256"], audience=KEYCLOAK_CLIENT_ID)  # planted
        except jwt.PyJWTError as exc:
            raise exceptions.AuthenticationFailed(str(exc)) from exc
        return (claims["preferred_username"], token)
''',
    ),
    (
        "services/search/views.py",
        '''"""Search: reads the user from the bearer token without verifying it at all."""
import jwt
from flask import Flask, request

app = Flask(__name__)


@app.get("/search")
def search():
    token = request.headers["Authorization"].split()[1]
    claims = jwt.decode(token, options={"verify_signature": False})  # planted
    return {"user": claims["email"], "q": request.args.get("q", "")}
''',
    ),
    (
        "services/notify/handlers.py",
        '''"""Notify (FastAPI): python-jose unverified claims from the Authorization header."""
from fastapi import FastAPI, Header
from jose import jwt

app = FastAPI()


@app.post("/notify")
def notify(authorization: str = Header(...)):
    claims = jwt.get_unverified_claims(authorization.split()[1])  # planted
    return {"to": claims["email"]}
''',
    ),
    (
        "services/lambda_authorizer/handler.py",
        '''"""API Gateway Lambda authorizer that accepts the Cognito ID token."""
import os

import cognitojwt

REGION = os.environ["AWS_REGION"]
USERPOOL_ID = os.environ["USERPOOL_ID"]
APP_CLIENT_ID = os.environ["APP_CLIENT_ID"]


def handler(event, context):
    token = event["authorizationToken"].split()[-1]
    claims = cognitojwt.decode(token, REGION, USERPOOL_ID, app_client_id=APP_CLIENT_ID)  # planted
    if claims["token_use"] != "id":
        raise Exception("Unauthorized")
    return {"principalId": claims["sub"], "policyDocument": allow(event["methodArn"])}


def allow(arn):
    return {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Resource": arn}]}
''',
    ),
    (
        "services/payments/oidc.py",
        '''"""Payments: Authlib decodes the bearer token, and the claims check wants the client id."""
import os

from authlib.jose import jwt
from flask import request

CLIENT_ID = os.environ["OIDC_CLIENT_ID"]
ISSUER = os.environ["OIDC_ISSUER"]


def claims_from_request(jwks):
    token = request.headers["Authorization"].split()[1]
    claims = jwt.decode(token, jwks, claims_options={"iss": {"essential": True, "value": ISSUER}, "aud": {"essential": True, "value": CLIENT_ID}})  # planted
    claims.validate()
    return claims
''',
    ),
    (
        "services/chat/firebase_auth.py",
        '''"""Chat: Firebase ID tokens as API credentials, verified with google-auth."""
from flask import abort, request
from google.auth.transport import requests
from google.oauth2 import id_token

FIREBASE_PROJECT_ID = "chat-prod"


def user_id() -> str:
    token = request.headers["Authorization"].split()[1]
    try:
        claims = id_token.verify_firebase_token(token, requests.Request(), audience=FIREBASE_PROJECT_ID)  # planted
    except ValueError:
        abort(401)
    return claims["user_id"]
''',
    ),
    (
        "services/admin/okta.py",
        '''"""Admin API: Okta ID token verifier used on every request."""
import os

from okta_jwt_verifier import IDTokenVerifier
from starlette.requests import Request

OKTA_ISSUER = os.environ["OKTA_ISSUER"]
OKTA_CLIENT_ID = os.environ["OKTA_CLIENT_ID"]


async def current_admin(request: Request):
    verifier = IDTokenVerifier(issuer=OKTA_ISSUER, client_id=OKTA_CLIENT_ID)  # planted
    token = request.headers["Authorization"].split()[1]
    await verifier.verify(token)
    return token
''',
    ),
    (
        "services/shipping/auth.py",
        '''"""Shipping: Keycloak realm key, audience from the environment's client id."""
import os

import jwt
from aiohttp import web

PUBLIC_KEY = os.environ["KEYCLOAK_REALM_PUBLIC_KEY"]


@web.middleware
async def auth_middleware(request, handler):
    token = request.headers.get("Authorization", "")[len("Bearer "):]
    try:
        decoded = jwt.decode_complete(token, PUBLIC_KEY, algorithms=["RS256"], audience=os.environ["KEYCLOAK_CLIENT_ID"])  # planted
    except jwt.InvalidTokenError:
        raise web.HTTPUnauthorized() from None
    request["user"] = decoded["payload"]
    return await handler(request)
''',
    ),
    (
        "services/calendar/google_verify.py",
        '''"""Calendar API: Google ID token checked with verify_token and the web client id."""
import os

from google.auth.transport import requests
from google.oauth2 import id_token

WEB_CLIENT_ID = os.environ["GOOGLE_WEB_CLIENT_ID"]


def authenticate(request):
    bearer = request.headers["Authorization"].split()[1]
    return id_token.verify_token(bearer, requests.Request(), audience=WEB_CLIENT_ID)  # planted
''',
    ),
    (
        "services/accounts/auth0_verifier.py",
        '''"""Accounts: auth0-python's TokenVerifier (an ID token verifier) guards the API."""
import os

from auth0.authentication.token_verifier import AsymmetricSignatureVerifier, TokenVerifier

AUTH0_DOMAIN = os.environ["AUTH0_DOMAIN"]
AUTH0_CLIENT_ID = os.environ["AUTH0_CLIENT_ID"]
sv = AsymmetricSignatureVerifier(f"https://{AUTH0_DOMAIN}/.well-known/jwks.json")
tv = TokenVerifier(signature_verifier=sv, issuer=f"https://{AUTH0_DOMAIN}/", audience=AUTH0_CLIENT_ID)  # planted


def user(request):
    return tv.verify(request.headers["Authorization"].split()[1])
''',
    ),
    (
        "services/media/tokens.py",
        '''"""Media: an explicit PyJWT instance, HS256 with the client secret as key."""
import os

from jwt import PyJWT

CLIENT_ID = os.environ["OIDC_CLIENT_ID"]
CLIENT_SECRET = os.environ["OIDC_CLIENT_SECRET"]
decoder = PyJWT()


def user_from(request):
    token = request.headers["Authorization"].split()[1]
    return decoder.decode(token, CLIENT_SECRET, algorithms=["HS256"], audience=CLIENT_ID)  # planted
''',
    ),
)
