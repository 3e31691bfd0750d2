"""Settings of the demo orders API, from the environment."""

import os

AUTH0_DOMAIN = os.environ.get("AUTH0_DOMAIN", "demo-tenant.eu.auth0.com")
# The single-page app's client: its ID tokens are signed with its client secret (HS256).
CLIENT_ID = os.environ.get("DEMO_CLIENT_ID", "demo-spa-client")
CLIENT_SECRET = os.environ.get("DEMO_CLIENT_SECRET", "")
ISSUER = f"https://{AUTH0_DOMAIN}/"
