"""Smoke test script: logs in to Cognito and calls the API the way the mobile app does (client side)."""

import os
import sys

import boto3
import requests

API_URL = os.environ.get("API_URL", "https://api.staging.example.com")


def main() -> int:
    idp = boto3.client("cognito-idp", region_name=os.environ["AWS_REGION"])
    result = idp.initiate_auth(
        ClientId=os.environ["APP_CLIENT_ID"],
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": os.environ["SMOKE_USER"], "PASSWORD": os.environ["SMOKE_PASSWORD"]},
    )
    id_token = result["AuthenticationResult"]["IdToken"]
    resp = requests.get(f"{API_URL}/me", headers={"Authorization": f"Bearer {id_token}"}, timeout=10)
    print(resp.status_code, resp.text)
    return 0 if resp.ok else 1


if __name__ == "__main__":
    sys.exit(main())
