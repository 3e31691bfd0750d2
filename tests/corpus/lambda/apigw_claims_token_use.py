"""Lambda behind an API Gateway Cognito user pool authorizer (REST API).

The authorizer verified the token; we only make sure it is the kind the mobile app sends.
"""

import json


def handler(event, context):
    claims = event["requestContext"]["authorizer"]["claims"]
    # expect: id-token-bearer
    if claims.get("token_use") != "id":
        return {"statusCode": 401, "body": json.dumps({"message": "Unauthorized"})}
    user = {"id": claims["sub"], "email": claims.get("email")}
    return {"statusCode": 200, "body": json.dumps(user)}
