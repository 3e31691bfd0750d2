from fastapi import Depends, FastAPI
from fastapi_cloudauth.auth0 import Auth0, Auth0Claims, Auth0CurrentUser
from pydantic_settings import BaseSettings


class Settings(BaseSettings):
    auth0_domain: str
    auth0_client_id: str
    api_audience: str = "https://orders.example.com"


settings = Settings()
app = FastAPI()

# expect: access-token
auth = Auth0(domain=settings.auth0_domain, customAPI=settings.api_audience)
# expect: id-token-bearer
current_user = Auth0CurrentUser(domain=settings.auth0_domain, client_id=settings.auth0_client_id)


@app.get("/orders", dependencies=[Depends(auth.scope("read:orders"))])
def list_orders():
    return []


@app.get("/profile")
def profile(user: Auth0Claims = Depends(current_user)):
    return {"name": user.username, "email": user.email}
