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
