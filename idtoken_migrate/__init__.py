"""idtoken-migrate: move Python APIs from OpenID Connect ID tokens to OAuth 2.0 access tokens."""

__version__ = "0.1.0"

# Where the project lives: reports link to the docs of the version that wrote them.
REPOSITORY_URL = "https://github.com/idtoken-migrate/idtoken-migrate"
