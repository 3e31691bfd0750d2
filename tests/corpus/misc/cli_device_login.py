"""`acme login`: device authorization grant for the command-line client, caches the identity."""

import json
import time
from pathlib import Path

import jwt
import requests

ISSUER = "https://acme.eu.auth0.com/"
CLI_CLIENT_ID = "h2cLxAcme0CliClient"
CACHE = Path.home() / ".config" / "acme" / "identity.json"


def login():
    start = requests.post(
        f"{ISSUER}oauth/device/code",
        data={"client_id": CLI_CLIENT_ID, "scope": "openid profile email offline_access"},
        timeout=10,
    ).json()
    print(f"Open {start['verification_uri_complete']} and confirm {start['user_code']}")
    while True:
        time.sleep(start["interval"])
        token_response = requests.post(
            f"{ISSUER}oauth/token",
            data={"grant_type": "urn:ietf:params:oauth:grant-type:device_code",
                  "device_code": start["device_code"], "client_id": CLI_CLIENT_ID},
            timeout=10,
        ).json()
        if "id_token" in token_response:
            break
    keys = jwt.PyJWKClient(f"{ISSUER}.well-known/jwks.json")
    raw = token_response["id_token"]
    # expect: id-token-login
    identity = jwt.decode(raw, keys.get_signing_key_from_jwt(raw).key, algorithms=["RS256"], audience=CLI_CLIENT_ID, issuer=ISSUER)
    CACHE.parent.mkdir(parents=True, exist_ok=True)
    CACHE.write_text(json.dumps({"name": identity.get("name"), "email": identity.get("email")}))
    print(f"Logged in as {identity.get('email')}")
