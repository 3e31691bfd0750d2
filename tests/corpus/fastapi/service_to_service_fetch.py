"""Calls another Cloud Run service with a Google-signed ID token (service-to-service auth)."""

import google.auth.transport.requests
import google.oauth2.id_token
import requests
from fastapi import FastAPI

REPORTS_URL = "https://reports-abc123-ew.a.run.app"

app = FastAPI()


def _auth_headers(audience: str) -> dict:
    auth_req = google.auth.transport.requests.Request()
    token = google.oauth2.id_token.fetch_id_token(auth_req, audience)
    return {"Authorization": f"Bearer {token}"}


@app.post("/reports/{report_id}/render")
def render(report_id: str):
    resp = requests.post(
        f"{REPORTS_URL}/render/{report_id}", headers=_auth_headers(REPORTS_URL), timeout=30
    )
    resp.raise_for_status()
    return resp.json()
