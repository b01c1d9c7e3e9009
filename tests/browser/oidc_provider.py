"""A small OpenID Connect provider for tests: a Flask app on a free 127.0.0.1 port, over real HTTP.

Authorization code flow as st.login (Authlib) drives it: discovery, /authorize (a login form that
asks only for an e-mail address, then redirects back with a one-time code and the state), /token
(client_secret_basic or _post, the redirect_uri and the PKCE S256 verifier checked; an id_token
signed RS256 with a key generated at start, carrying iss, aud, nonce, email, name, iat, exp) and
/jwks with the public key. No passwords: whoever types an address is that person.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from urllib.parse import urlencode

from flask import Flask, abort, jsonify, redirect, request
from joserfc import jwt
from joserfc.jwk import KeySet, RSAKey
from markupsafe import escape
from werkzeug.serving import make_server

from tests.browser.servers import free_port

LOGIN_FORM = """<!doctype html><title>Test identity provider</title>
<h1>Test identity provider</h1>
<form method="post">{hidden}
<label>E-mail <input type="email" name="email" required autofocus></label>
<button type="submit">Sign in</button></form>"""


@dataclass(frozen=True)
class Client:
    client_id: str
    client_secret: str
    redirect_uri: str


@dataclass
class _Grant:
    email: str
    nonce: str | None
    redirect_uri: str
    challenge: str | None


@dataclass
class Provider:
    issuer: str
    client: Client
    key: RSAKey
    grants: dict[str, _Grant] = field(default_factory=dict)
    logins: list[str] = field(default_factory=list)  # the addresses that got an id_token, in order

    @property
    def metadata_url(self) -> str:
        return f"{self.issuer}/.well-known/openid-configuration"


def _s256(verifier: str) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()


def _client_credentials() -> tuple[str | None, str | None]:
    if request.authorization and request.authorization.type == "basic":
        return request.authorization.username, request.authorization.password
    return request.form.get("client_id"), request.form.get("client_secret")


def create_app(provider: Provider) -> Flask:
    app = Flask("oidc_provider")
    client = provider.client

    @app.get("/.well-known/openid-configuration")
    def discovery():  # type: ignore[no-untyped-def]
        return jsonify(
            issuer=provider.issuer,
            authorization_endpoint=f"{provider.issuer}/authorize",
            token_endpoint=f"{provider.issuer}/token",
            jwks_uri=f"{provider.issuer}/jwks",
            response_types_supported=["code"],
            subject_types_supported=["public"],
            id_token_signing_alg_values_supported=["RS256"],
            scopes_supported=["openid", "email", "profile"],
            token_endpoint_auth_methods_supported=["client_secret_basic", "client_secret_post"],
            code_challenge_methods_supported=["S256"],
        )

    @app.route("/authorize", methods=["GET", "POST"])
    def authorize():  # type: ignore[no-untyped-def]
        params = request.values
        if params.get("client_id") != client.client_id or params.get("redirect_uri") != client.redirect_uri:
            abort(400, "unknown client or redirect_uri")
        if params.get("response_type") != "code" or "openid" not in params.get("scope", "").split():
            abort(400, "only the code flow with scope openid")
        if request.method == "GET":
            keep = ("client_id", "redirect_uri", "response_type", "scope", "state", "nonce", "code_challenge")
            hidden = "".join(
                f'<input type="hidden" name="{name}" value="{escape(params[name])}">' for name in keep if name in params
            )
            return LOGIN_FORM.format(hidden=hidden)
        code = secrets.token_urlsafe(24)
        provider.grants[code] = _Grant(
            email=params["email"].strip(),
            nonce=params.get("nonce"),
            redirect_uri=params["redirect_uri"],
            challenge=params.get("code_challenge"),
        )
        answer = {"code": code, **({"state": params["state"]} if "state" in params else {})}
        return redirect(f"{client.redirect_uri}?{urlencode(answer)}")

    @app.post("/token")
    def token():  # type: ignore[no-untyped-def]
        if _client_credentials() != (client.client_id, client.client_secret):
            return jsonify(error="invalid_client"), 401
        grant = provider.grants.pop(request.form.get("code", ""), None)
        if grant is None or request.form.get("redirect_uri") != grant.redirect_uri:
            return jsonify(error="invalid_grant"), 400
        if grant.challenge and _s256(request.form.get("code_verifier", "")) != grant.challenge:
            return jsonify(error="invalid_grant", error_description="PKCE verifier does not match"), 400
        now = int(time.time())
        claims = {
            "iss": provider.issuer,
            "sub": grant.email.lower(),
            "aud": client.client_id,
            "iat": now,
            "exp": now + 300,
            "email": grant.email,
            "email_verified": True,
            "name": grant.email.split("@")[0].replace(".", " ").title(),
        }
        if grant.nonce:
            claims["nonce"] = grant.nonce
        id_token = jwt.encode({"alg": "RS256", "kid": provider.key.kid}, claims, provider.key)
        provider.logins.append(grant.email)
        return jsonify(access_token=secrets.token_urlsafe(24), token_type="Bearer", expires_in=300, id_token=id_token)

    @app.get("/jwks")
    def jwks():  # type: ignore[no-untyped-def]
        return jsonify(KeySet([provider.key]).as_dict(private=False))

    return app


@contextmanager
def serve_provider(client: Client) -> Iterator[Provider]:
    """The provider on a free loopback port, in a thread, until the block ends."""
    port = free_port()
    key = RSAKey.generate_key(2048, parameters={"kid": secrets.token_hex(8), "use": "sig", "alg": "RS256"})
    provider = Provider(issuer=f"http://127.0.0.1:{port}", client=client, key=key)
    server = make_server("127.0.0.1", port, create_app(provider), threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield provider
    finally:
        server.shutdown()
        thread.join(timeout=10)
