"""idtoken-migrate: move Python APIs from OpenID Connect ID tokens to OAuth 2.0 access tokens."""

__version__ = "0.1.0"
