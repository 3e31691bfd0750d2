"""Where the app hands its own client the provider's ID token (issue 13 point 6), in the shapes
of real login routes (tests/corpus/SOURCES.md): a hosted-UI callback storing the token
endpoint's id_token in a cookie, a boto3 initiate_auth login returning IdToken in a Lambda proxy
body, a sign-in service returning the tokens dict, the session. Each with the access token
that replaces it."""

from __future__ import annotations

import textwrap

from idtoken_migrate.scan.handout import BODY, COOKIE, SESSION, find_handouts


def found(source: str) -> list[tuple[int, str, str, str, str]]:
    return [
        (h.line, h.sink, h.name, h.source, h.access)
        for h in find_handouts("app.py", textwrap.dedent(source))
    ]


def test_a_callback_storing_the_id_token_in_a_cookie() -> None:
    assert found(
        """\
        async def callback(code, http):
            token = (await http.post(TOKEN_URL, data={"code": code})).json()
            response = RedirectResponse("/home")
            response.set_cookie("access_token", token["access_token"], httponly=True)
            response.set_cookie(key="id_token", value=token["id_token"], httponly=True)
            return response
        """
    ) == [(5, COOKIE, "id_token", 'token["id_token"]', 'token["access_token"]')]


def test_a_boto3_login_handing_out_idtoken_in_a_lambda_body() -> None:
    handouts = find_handouts(
        "login.py",
        textwrap.dedent(
            """\
            def login(event, context):
                response = client.initiate_auth(ClientId=CLIENT_ID, AuthFlow="USER_PASSWORD_AUTH")
                id_token = response["AuthenticationResult"]["IdToken"]
                return {
                    "statusCode": 200,
                    "body": json.dumps({"idToken": id_token, "refreshToken": "..."}),
                }
            """
        ),
    )
    assert [(h.line, h.sink, h.name, h.value, h.source_line) for h in handouts] == [
        (6, BODY, "idToken", "id_token", 3)
    ]
    assert handouts[0].access == 'response["AuthenticationResult"]["AccessToken"]'
    change = handouts[0].change()
    assert change.startswith("login.py:6 in login: hands out the provider's ID token as the ")
    assert '`id_token = response["AuthenticationResult"]["IdToken"]`, line 3' in change
    assert (
        'Hand out the access token instead: `response["AuthenticationResult"]["AccessToken"]`'
        in change
    )


def test_a_sign_in_service_returning_the_tokens_and_a_json_response() -> None:
    assert found(
        """\
        class CognitoService:
            def authenticate(self, email, password):
                result = self.client.initiate_auth(AuthParameters={"USERNAME": email})
                return {
                    "id_token": result["AuthenticationResult"]["IdToken"],
                    "access_token": result["AuthenticationResult"]["AccessToken"],
                }

        def login_view(request, tokens):
            return JsonResponse({"token": tokens.get("id_token")})
        """
    ) == [
        (
            5,
            BODY,
            "id_token",
            'result["AuthenticationResult"]["IdToken"]',
            'result["AuthenticationResult"]["AccessToken"]',
        ),
        (10, BODY, "token", 'tokens.get("id_token")', 'tokens.get("access_token")'),
    ]


def test_cookies_written_by_hand_for_an_http_api() -> None:
    """API Gateway HTTP API (payload 2.0): the Lambda returns its cookies as strings."""
    assert found(
        """\
        def handle_callback(code):
            id_token, access_token, refresh_token = exchange(code)
            tokens = exchange_json(code)
            cookies = [f"id_token={tokens['id_token']}", f"refresh={refresh_token}; HttpOnly"]
            headers = {"Set-Cookie": f"session={tokens['id_token']}; Secure"}
            location = f"{LOGOUT_URL}?id_token_hint={tokens['id_token']}"  # to the provider
            return {"statusCode": 302, "cookies": cookies, "headers": headers}
        """
    ) == [
        (4, COOKIE, "id_token", "tokens['id_token']", "tokens['access_token']"),
        (5, COOKIE, "session", "tokens['id_token']", "tokens['access_token']"),
    ]


def test_the_session() -> None:
    assert found(
        """\
        @app.route("/callback")
        def callback():
            token = oauth.auth0.authorize_access_token()
            session["jwt"] = token["id_token"]
            flask.session.update({"user_token": token["id_token"]})
            return redirect("/")
        """
    ) == [
        (4, SESSION, "jwt", 'token["id_token"]', 'token["access_token"]'),
        (5, SESSION, "user_token", 'token["id_token"]', 'token["access_token"]'),
    ]


def test_what_is_no_hand_out() -> None:
    assert not found(
        """\
        def logout(token):
            # RP-initiated logout: the ID token goes back to the provider, not to the client
            query = urlencode({"id_token_hint": token["id_token"], "client_id": CLIENT_ID})
            return RedirectResponse(f"{LOGOUT_URL}?{query}")

        def callback(tokens):
            claims = verify(tokens["id_token"])  # verified at login: the app's own session next
            response = RedirectResponse("/")
            response.set_cookie("access_token", tokens["access_token"])
            response.set_cookie("profile", claims["email"])
            session["user"] = claims["sub"]
            return response

        def other_scope():
            return {"id_token": id_token}  # a name bound to the ID token in another function

        def helper(id_token):
            return {"kind": "id_token"}
        """
    )


def test_source_that_does_not_parse_or_names_no_id_token() -> None:
    assert find_handouts("py2.py", 'print "id_token"\n') == []
    assert find_handouts("x.py", "response.set_cookie('a', tokens['access_token'])\n") == []
