"""User-pool settings shared by the API dependencies (see ../api/deps.py)."""
# corpus: class=4 provider=cognito

import os

import jwt

REGION = os.environ.get("CBP_REGION", "eu-central-1")
POOL_ID = os.environ["CBP_USER_POOL_ID"]
APP_CLIENT_ID = os.environ["CBP_APP_CLIENT_ID"]

ISSUER = f"https://cognito-idp.{REGION}.amazonaws.com/{POOL_ID}"
jwks_client = jwt.PyJWKClient(f"{ISSUER}/.well-known/jwks.json", cache_keys=True)


def group_names(claims: dict) -> list[str]:
    return sorted(claims.get("cognito:groups", []))
