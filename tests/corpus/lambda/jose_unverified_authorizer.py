import jose.jwt

ALLOWED_TENANTS = {"acme", "globex"}


def authorizer(event, context):
    token = event["authorizationToken"].split(" ")[-1]
    # expect: unverified-decode
    claims = jose.jwt.get_unverified_claims(token)
    tenant = claims.get("custom:tenant")
    effect = "Allow" if tenant in ALLOWED_TENANTS else "Deny"
    return {
        "principalId": claims.get("sub", "unknown"),
        "policyDocument": {
            "Version": "2012-10-17",
            "Statement": [
                {"Action": "execute-api:Invoke", "Effect": effect, "Resource": event["methodArn"]}
            ],
        },
        "context": {"tenant": tenant or ""},
    }
