"""Sample inputs several test modules share."""

# An Auth0 API still accepting HS256 ID tokens, moving to access tokens for its own audience.
AUTH0_HS256_CONFIG = """\
version: 1
provider: auth0
issuer: https://tenant.eu.auth0.com/
access_token:
  audience: https://api.example.com
legacy_id_token:
  client_ids: [AbCdEf123]
  algorithms: [HS256]
  secret_env: AUTH0_CLIENT_SECRET
window:
  sunset: 2030-01-01
"""

# The same API as the fixture apps' configs write it (flow style), RS256 access tokens.
AUTH0_HS256_FLOW_CONFIG = """\
version: 1
provider: auth0
issuer: https://t.eu.auth0.com/
access_token: {audience: https://api.example, algorithms: [RS256]}
legacy_id_token: {client_ids: [spa], algorithms: [HS256], secret_env: AUTH0_CLIENT_SECRET}
window: {sunset: 2099-01-01}
"""
EMAIL_CLAIM_MAPPED = "claims: {email: https://example.com/email}\n"


# A user rule pack for a made-up library, acme_auth.
USER_PACK = """\
pack: acme
library: acme-auth
prefilter: [acme_auth]
rules:
  - id: ACME001
    name: acme-verify
    summary: acme_auth.verify checks a token
    match:
      call: [acme_auth.verify]
    args:
      token: [0]
      audience: [audience]
    examples:
      positive: |
        import acme_auth
        def user(request):
            # expect: id-token-bearer
            return acme_auth.verify(request.headers["Authorization"], audience=CLIENT_ID)
      negative: |
        import acme_auth
        def user(request):
            # expect: access-token
            return acme_auth.verify(request.headers["Authorization"], audience="https://api.example.com")
"""
