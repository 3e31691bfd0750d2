"""cognitojwt helper; the login view in web/ is its only caller."""
# corpus: class=4 provider=cognito

import os

import cognitojwt

REGION = os.environ["COGNITO_REGION"]
POOL = os.environ["COGNITO_POOL"]
CLIENT = os.environ["COGNITO_APP_CLIENT_ID"]


def check_cognito_token(token):
    try:
        # expect: id-token-login
        return cognitojwt.decode(token, REGION, POOL, app_client_id=CLIENT, testmode=False)
    except Exception:
        return None
