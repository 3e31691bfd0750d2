"""Our own session tokens (flask-jwt-extended): the app issues and checks them itself."""

from flask import Flask, jsonify, request
from flask_jwt_extended import (
    JWTManager,
    create_access_token,
    decode_token,
    get_jwt_identity,
    jwt_required,
)

app = Flask(__name__)
app.config["JWT_SECRET_KEY"] = "change-me"
jwt = JWTManager(app)


@jwt.user_lookup_loader
def user_lookup(_jwt_header, jwt_data):
    return {"id": jwt_data["sub"]}


@app.post("/token")
def token():
    return jsonify(access_token=create_access_token(identity=request.json["username"]))


@app.get("/inspect")
@jwt_required()
def inspect():
    raw = request.headers["Authorization"].split()[1]
    return jsonify(identity=get_jwt_identity(), expires=decode_token(raw)["exp"])
