"""A Cognito client wrapper: signs in with the SDK, then checks the tokens it was handed."""
# corpus: class=3 provider=cognito

import boto3
import requests
from jose import jwt


class PoolUser:
    def __init__(self, pool_id, client_id, region="eu-west-1"):
        self.client = boto3.client("cognito-idp", region_name=region)
        self.client_id = client_id
        self.issuer = f"https://cognito-idp.{region}.amazonaws.com/{pool_id}"

    def _check(self, token, token_use):
        keys = requests.get(self.issuer + "/.well-known/jwks.json", timeout=5).json()
        # expect: id-token-login
        claims = jwt.decode(token, keys, algorithms=["RS256"], issuer=self.issuer,
                            options={"verify_aud": False})
        if claims["token_use"] != token_use:
            raise ValueError("unexpected token_use")
        return claims

    def sign_in(self, username, password):
        answer = self.client.initiate_auth(
            ClientId=self.client_id, AuthFlow="USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": username, "PASSWORD": password},
        )
        result = answer["AuthenticationResult"]
        self.profile = self._check(result["IdToken"], "id")
        self.access = self._check(result["AccessToken"], "access")
        return self.profile
