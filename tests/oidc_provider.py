"""A small but real OpenID Connect provider for the tests: discovery, an authorization page (a
form asking which of its people signs in), the token endpoint (authorization code with PKCE S256,
client secret by form or Basic), signed RS256 ID tokens carrying the nonce, a JWKS, userinfo and
RP-initiated logout. It runs on a free loopback port in a thread; the platform's OpenID Connect
library talks to it over HTTP exactly as to Keycloak or Entra ID.

Knobs for failure paths: `people[...]["active"] = False` (deactivated at the provider: it refuses
to sign them in), `token_lifetime` (negative: the ID token is already expired), `sign_with_other_key`
(a token signed by a key the JWKS does not publish)."""

from __future__ import annotations

import base64
import hashlib
import html
import json
import secrets
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlparse

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa

CLIENT_ID = "brandimages-test"
CLIENT_SECRET = "test-secret-of-the-relying-party"


class Provider:
    def __init__(self):
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.other_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.kid = "test-key-1"
        self.people: dict[str, dict] = {}
        self.codes: dict[str, dict] = {}
        self.access_tokens: dict[str, dict] = {}
        self.logouts: list[dict] = []
        self.token_requests: list[dict] = []
        self.token_lifetime = 300
        self.sign_with_other_key = False
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self.issuer = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self) -> Provider:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def reset(self) -> None:
        self.people.clear()
        self.codes.clear()
        self.access_tokens.clear()
        self.logouts.clear()
        self.token_requests.clear()
        self.token_lifetime = 300
        self.sign_with_other_key = False

    def person(self, login: str, *, email: str, name: str = "", email_verified: bool = True, groups=(), active: bool = True) -> dict:
        self.people[login] = {"sub": f"sub-{login}", "email": email, "email_verified": email_verified, "name": name or login.title(),
                              "groups": list(groups), "active": active}
        return self.people[login]

    def discovery(self) -> dict:
        return {
            "issuer": self.issuer,
            "authorization_endpoint": f"{self.issuer}/authorize",
            "token_endpoint": f"{self.issuer}/token",
            "userinfo_endpoint": f"{self.issuer}/userinfo",
            "jwks_uri": f"{self.issuer}/jwks",
            "end_session_endpoint": f"{self.issuer}/logout",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "code_challenge_methods_supported": ["S256"],
        }

    def jwks(self) -> dict:
        public = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(self.key.public_key()))
        return {"keys": [{**public, "kid": self.kid, "alg": "RS256", "use": "sig"}]}

    def claims_of(self, login: str) -> dict:
        person = self.people[login]
        return {key: person[key] for key in ("sub", "email", "email_verified", "name", "groups")}

    def id_token(self, login: str, nonce: str | None) -> str:
        now = int(time.time())
        claims = {**self.claims_of(login), "iss": self.issuer, "aud": CLIENT_ID, "iat": now, "exp": now + self.token_lifetime}
        if nonce:
            claims["nonce"] = nonce
        key = self.other_key if self.sign_with_other_key else self.key
        return jwt.encode(claims, key, algorithm="RS256", headers={"kid": self.kid})


def _handler(provider: Provider):
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def _send(self, status: int, body, content_type="application/json", headers=None):
            data = json.dumps(body).encode() if content_type == "application/json" else body.encode()
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)

        def _redirect(self, url: str):
            self.send_response(302)
            self.send_header("Location", url)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def _form(self) -> dict:
            length = int(self.headers.get("Content-Length") or 0)
            return {key: values[0] for key, values in parse_qs(self.rfile.read(length).decode()).items()}

        def do_GET(self):
            url = urlparse(self.path)
            query = {key: values[0] for key, values in parse_qs(url.query).items()}
            if url.path == "/.well-known/openid-configuration":
                return self._send(200, provider.discovery())
            if url.path == "/jwks":
                return self._send(200, provider.jwks())
            if url.path == "/authorize":
                return self._authorize_page(query)
            if url.path == "/userinfo":
                token = (self.headers.get("Authorization") or "").removeprefix("Bearer ")
                if token not in provider.access_tokens:
                    return self._send(401, {"error": "invalid_token"})
                return self._send(200, provider.claims_of(provider.access_tokens[token]["login"]))
            if url.path == "/logout":
                provider.logouts.append(query)
                if query.get("post_logout_redirect_uri"):
                    return self._redirect(query["post_logout_redirect_uri"])
                return self._send(200, "<p>Signed out of the provider.</p>", "text/html")
            return self._send(404, {"error": "not_found"})

        def _authorize_page(self, query: dict):
            if query.get("client_id") != CLIENT_ID or query.get("response_type") != "code":
                return self._send(400, {"error": "invalid_request"})
            hidden = "".join(f'<input type="hidden" name="{html.escape(k)}" value="{html.escape(v)}">' for k, v in query.items())
            page = (f"<!doctype html><title>Test identity provider</title><h1>Test identity provider</h1>"
                    f'<form method="post" action="/authorize">{hidden}<label>Login <input name="login"></label>'
                    f'<button type="submit">Sign in</button></form>')
            return self._send(200, page, "text/html")

        def do_POST(self):
            url = urlparse(self.path)
            form = self._form()
            if url.path == "/authorize":
                return self._authorize(form)
            if url.path == "/token":
                return self._token(form)
            return self._send(404, {"error": "not_found"})

        def _authorize(self, form: dict):
            login, redirect_uri, state = form.pop("login", ""), form.get("redirect_uri", ""), form.get("state", "")
            person = provider.people.get(login)
            if person is None or not person["active"]:
                return self._redirect(f"{redirect_uri}?{urlencode({'error': 'access_denied', 'state': state})}")
            code = secrets.token_urlsafe(24)
            provider.codes[code] = {"login": login, "nonce": form.get("nonce"), "redirect_uri": redirect_uri,
                                    "challenge": form.get("code_challenge"), "method": form.get("code_challenge_method")}
            return self._redirect(f"{redirect_uri}?{urlencode({'code': code, 'state': state})}")

        def _token(self, form: dict):
            provider.token_requests.append(dict(form))
            client_id, secret = form.get("client_id"), form.get("client_secret")
            basic = self.headers.get("Authorization", "")
            if basic.startswith("Basic "):
                client_id, _, secret = base64.b64decode(basic[6:]).decode().partition(":")
            if client_id != CLIENT_ID or secret != CLIENT_SECRET:
                return self._send(401, {"error": "invalid_client"})
            grant = provider.codes.pop(form.get("code", ""), None)  # a code works once
            if grant is None or form.get("grant_type") != "authorization_code" or grant["redirect_uri"] != form.get("redirect_uri"):
                return self._send(400, {"error": "invalid_grant"})
            if grant["challenge"]:
                verifier = form.get("code_verifier", "")
                digest = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
                if grant["method"] != "S256" or digest != grant["challenge"]:
                    return self._send(400, {"error": "invalid_grant", "error_description": "PKCE verification failed"})
            access = secrets.token_urlsafe(24)
            provider.access_tokens[access] = {"login": grant["login"]}
            return self._send(200, {"access_token": access, "token_type": "Bearer", "expires_in": 300,
                                    "id_token": provider.id_token(grant["login"], grant["nonce"])})

    return Handler
