"""A real OpenID provider (oidc-provider-mock, pinned in requirements.txt) on
loopback for communityd's tests.

Usage: provider.py [--token-max-age SECONDS]

Binds 127.0.0.1 on a port the system picks and prints that port, alone on
the first line of stdout, once it accepts connections. Exits when stdin
closes, so a test process that dies never leaves a provider behind.

The provider is the package's own Flask app. This launcher only configures
it and adds what a relying party's tests need and the package leaves out:

- `kid` in the ID token header. The package signs without one although its
  JWKS names the key, so a relying party could not pick the key by id.
- PKCE. The package ignores `code_challenge`; authlib's own CodeChallenge
  extension is registered on the package's authorization code grant, with
  each code's challenge kept beside it, so a wrong `code_verifier` is refused
  and discovery says so (`code_challenge_methods_supported`).
- Signing key rotation: `POST /keys/rotate` signs from then on with a new
  key and answers `{"kid": ...}`. With `{"publish": true}` (the default) the
  JWKS lists the new key next to the earlier ones, as a provider does when
  it rotates; with `{"publish": false}` the JWKS does not list it, which is
  a token signed by a key the relying party cannot find.
"""

import argparse
import json
import logging
import os
import sys
import threading
from datetime import timedelta

import authlib.oauth2.rfc7636
import authlib.oidc.core
import flask
import werkzeug.serving
from authlib import jose

import oidc_provider_mock

_BLUEPRINT = "oidc-provider-mock"


def main() -> None:
    options = _parse_arguments()
    os.environ["AUTHLIB_INSECURE_TRANSPORT"] = "1"  # loopback, plain HTTP
    logging.basicConfig(level=logging.INFO, stream=sys.stderr)
    app = oidc_provider_mock.app(
        access_token_max_age=timedelta(seconds=options.token_max_age),
    )
    storage, server = _provider_internals(app)
    keys = _SigningKeys(storage)
    grant_extensions = _authorization_code_extensions(server)
    _sign_with_kid(grant_extensions, keys)
    _check_pkce(app, storage, grant_extensions)
    _serve_keys(app, keys)

    http = werkzeug.serving.make_server("127.0.0.1", 0, app, threaded=True)
    print(http.server_port, flush=True)
    threading.Thread(target=_exit_when_stdin_closes, daemon=True).start()
    http.serve_forever()


def _parse_arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--token-max-age",
        type=int,
        default=3600,
        help="lifetime of access and ID tokens in seconds (negative: already expired)",
    )
    return parser.parse_args()


def _exit_when_stdin_closes() -> None:
    sys.stdin.buffer.read()
    os._exit(0)


def _provider_internals(app: flask.Flask):
    """The package's storage and authorization server: it puts them on
    `flask.g` before each request, so a request context shows them."""
    with app.test_request_context("/"):
        app.preprocess_request()
        return (
            flask.g.oidc_provider_mock_storage,
            flask.g._authlib_authorization_server,
        )


def _authorization_code_extensions(server) -> list:
    """The extension list the package registered its authorization code grant
    with; the authorization and the token endpoints share it."""
    for grant, extensions in server._authorization_grants:
        if grant.__name__ == "AuthorizationCodeGrant":
            return extensions
    raise RuntimeError("the provider registered no authorization code grant")


class _SigningKeys:
    """The key the provider signs with (the package reads `storage.jwk` at
    each token) and the keys its JWKS publishes."""

    def __init__(self, storage) -> None:
        self._storage = storage
        self._lock = threading.Lock()
        first = self._with_kid(storage.jwk)
        storage.jwk = first
        self._published = [first]

    @staticmethod
    def _with_kid(key: jose.RSAKey) -> jose.RSAKey:
        fields = key.as_dict(is_private=True)
        fields["kid"] = key.thumbprint()
        return jose.RSAKey.import_key(fields)

    def signing_kid(self) -> str:
        return self._storage.jwk.kid

    def rotate(self, publish: bool) -> str:
        key = self._with_kid(jose.RSAKey.generate_key(2048, is_private=True))
        with self._lock:
            self._storage.jwk = key
            if publish:
                self._published.insert(0, key)
        return key.kid

    def jwks(self) -> dict:
        with self._lock:
            return jose.KeySet(list(self._published)).as_dict()


def _sign_with_kid(extensions: list, keys: _SigningKeys) -> None:
    openid_code = next(
        e for e in extensions if isinstance(e, authlib.oidc.core.OpenIDCode)
    )
    package_header = openid_code.get_encode_header

    def header_with_kid(client):
        return {**package_header(client), "kid": keys.signing_kid()}

    openid_code.get_encode_header = header_with_kid


class _StoredCodeChallenge(authlib.oauth2.rfc7636.CodeChallenge):
    """authlib's PKCE check, reading each code's challenge from the side
    table (the package's authorization codes have no field for it)."""

    def __init__(self, challenges: dict) -> None:
        super().__init__(required=True)
        self._challenges = challenges

    def get_authorization_code_challenge(self, authorization_code):
        return self._challenges.get(authorization_code.code, (None, None))[0]

    def get_authorization_code_challenge_method(self, authorization_code):
        return self._challenges.get(authorization_code.code, (None, None))[1]


def _check_pkce(app: flask.Flask, storage, extensions: list) -> None:
    challenges: dict = {}
    store_code = storage.store_authorization_code

    def store_code_with_challenge(code) -> None:
        challenges[code.code] = (
            flask.request.values.get("code_challenge"),
            flask.request.values.get("code_challenge_method"),
        )
        store_code(code)

    storage.store_authorization_code = store_code_with_challenge
    extensions.append(_StoredCodeChallenge(challenges))

    @app.after_request
    def advertise_pkce(response: flask.Response) -> flask.Response:
        if flask.request.endpoint == f"{_BLUEPRINT}.openid_config":
            discovery = response.get_json()
            discovery["code_challenge_methods_supported"] = ["S256", "plain"]
            response.set_data(json.dumps(discovery))
        return response


def _serve_keys(app: flask.Flask, keys: _SigningKeys) -> None:
    app.view_functions[f"{_BLUEPRINT}.jwks"] = lambda: flask.jsonify(keys.jwks())

    @app.post("/keys/rotate")
    def rotate_key():
        body = flask.request.get_json(silent=True) or {}
        publish = body.get("publish", True)
        if not isinstance(publish, bool):
            return {"error": "publish must be true or false"}, 400
        return {"kid": keys.rotate(publish)}


if __name__ == "__main__":
    main()
