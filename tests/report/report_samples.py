"""Hand-built ScanResults with the awkward strings reporters must survive."""

from __future__ import annotations

from idtoken_migrate.model import FileError, Finding, RuleInfo, ScanResult, ScanStats

RULES = (
    RuleInfo(
        id="pyjwt-id-token-bearer",
        name="PyJwtIdTokenBearer",
        library="pyjwt",
        summary="PyJWT verifies an ID token as an API credential",
        help="The audience is the client id: this accepts ID tokens. Validate access tokens.",
        docs_url="https://example.com/rules/pyjwt-id-token-bearer",
        pack="pyjwt",
    ),
    RuleInfo(
        id="pyjwt-unverified-decode",
        name="PyJwtUnverifiedDecode",
        library="pyjwt",
        summary="A bearer token is decoded without verifying its signature",
        help="verify_signature is False.",
        docs_url="https://example.com/rules/pyjwt-unverified-decode",
        pack="pyjwt",
    ),
    RuleInfo(
        id="google-auth-id-token-login",
        name="GoogleAuthIdTokenLogin",
        library="google-auth",
        summary="ID token verified at login",
        pack="google-auth",
    ),
    RuleInfo(
        id="okta-access-token",
        name="OktaAccessToken",
        library="okta-jwt-verifier",
        summary="Access token validation",
        docs_url="https://example.com/rules/okta-access-token",
    ),
    RuleInfo(
        id="authlib-ambiguous",
        name="AuthlibAmbiguous",
        library="authlib",
        summary="Token verification of undecided kind",
    ),
)

# Paths and messages carry what breaks naive reporters: spaces, commas, colons, percent signs,
# newlines, unicode, XML/HTML specials, an @-mention and a terminal escape.
BEARER = Finding(
    rule="pyjwt-id-token-bearer",
    kind="id-token-bearer",
    path="api/auth, v2/verify: 100% token.py",
    line=42,
    column=15,
    end_line=42,
    end_column=61,
    confidence="high",
    library="pyjwt",
    provider="auth0",
    message=(
        "ID token verified as API credential: audience is AUTH0_CLIENT_ID\n"
        '"fix" <now> & @ops | ünïcode ✓'
    ),
    evidence=(
        "audience is a client id (settings.AUTH0_CLIENT_ID)",
        'payload["email"] read at line 44',
        "token from request.headers['Authorization']",
        "HS256 with the client secret",
    ),
    fingerprint="3f1c0a9e7b2d4c11",
    symbol="requires_auth.decorated",
    snippet='    payload = jwt.decode(token, secret, algorithms=["HS256"], audience=CLIENT_ID)',
)
UNVERIFIED = Finding(
    rule="pyjwt-unverified-decode",
    kind="unverified-decode",
    path="api/middleware.py",
    line=7,
    column=5,
    end_line=9,
    end_column=6,
    confidence="high",
    library="pyjwt",
    provider=None,
    message="Bearer token decoded with verify_signature=False\r\nclaims are trusted as-is",
    evidence=('options={"verify_signature": False}',),
    fingerprint="a1b2c3d4e5f60718",
    symbol="TokenMiddleware.__call__",
)
LOGIN = Finding(
    rule="google-auth-id-token-login",
    kind="id-token-login",
    path="api/auth, v2/callback.py",
    line=12,
    column=9,
    end_line=12,
    end_column=70,
    confidence="medium",
    library="google-auth",
    provider="google",
    message="ID token verified at login (token endpoint response)",
    evidence=('token comes from response["id_token"]',),
    fingerprint="0badc0de00000001",
)
ACCESS = Finding(
    rule="okta-access-token",
    kind="access-token",
    path="api/middleware.py",
    line=7,
    column=1,
    end_line=7,
    end_column=30,
    confidence="low",
    library="okta-jwt-verifier",
    provider="okta",
    message="Access token validation \x1b[31mred\x1b[0m (issuer checked)",
    evidence=(),
    fingerprint="feedface00000002",
)
AMBIGUOUS_FINDING = Finding(
    rule="authlib-ambiguous",
    kind="ambiguous",
    path="ünïcode/dir/views.py",
    line=3,
    column=1,
    end_line=3,
    end_column=1,
    confidence="low",
    library="authlib",
    provider="keycloak",
    message="Cannot tell the token kind: <audience> comes from a parameter; 50% likely",
    evidence=("claims_options passed in by the caller",),
    fingerprint="ambig0000000003",
)
UNDESCRIBED = Finding(
    rule="custom-rule:x",
    kind="id-token-bearer",
    path="zzz/last.py",
    line=1,
    column=1,
    end_line=1,
    end_column=10,
    confidence="medium",
    library="custom",
    provider=None,
    message="from a user rule pack with no RuleInfo",
    evidence=(),
    fingerprint="cafe000000000004",
)
FINDINGS = (BEARER, UNVERIFIED, LOGIN, ACCESS, AMBIGUOUS_FINDING, UNDESCRIBED)
ERRORS = (
    FileError(path="legacy/broken, old.py", message="invalid syntax: unexpected <EOF>", line=3),
    FileError(path="bin/blob.py", message="binary file\x00 skipped & ignored"),
)
STATS = ScanStats(
    files=2000, prefiltered=1985, parsed=13, cached=0, suppressed=2, errors=2, lines=51234
)


def make_result(
    findings: tuple[Finding, ...] = FINDINGS,
    errors: tuple[FileError, ...] = ERRORS,
    root: str = "/home/dev/legacy app",
) -> ScanResult:
    return ScanResult(root=root, findings=findings, errors=errors, stats=STATS, rules=RULES)


def in_order(findings: tuple[Finding, ...]) -> list[Finding]:
    return sorted(findings, key=lambda f: (f.path, f.line, f.column))
