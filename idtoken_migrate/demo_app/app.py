"""Demo orders API (Flask). Run: flask --app app run"""

from auth import requires_auth
from flask import Flask, g, jsonify

app = Flask(__name__)


@app.get("/api/me")
@requires_auth
def me():
    return jsonify(sub=g.user_id, email=g.user_email)
