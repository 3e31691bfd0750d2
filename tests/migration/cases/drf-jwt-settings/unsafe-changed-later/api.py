import os

JWT_AUTH = {
    "JWT_SECRET_KEY": os.environ["CLIENT_SECRET"],
    "JWT_AUDIENCE": os.environ["CLIENT_ID"],
}
if os.environ.get("STAGING"):
    JWT_AUTH["JWT_AUDIENCE"] = os.environ["STAGING_CLIENT_ID"]
