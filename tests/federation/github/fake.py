"""GitHub on loopback: its OAuth endpoints and REST API answering with recorded responses (``recorded.json``).

GitHub cannot run here, so this stands in for it, and only for it: every
answer is one of GitHub's documented responses, recorded in ``recorded.json``;
the fake only decides which one (a known code or not, the token the request
carries, the scenario a test chose for ``/user/emails``). It checks what
GitHub checks: the client's id and secret and the redirect URI at the token
endpoint, a single-use code, the bearer token on the API.
"""
import json
import secrets
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

RECORDED = json.loads((Path(__file__).parent / "recorded.json").read_text())


class FakeGitHub:
    """Start with ``with FakeGitHub(client_id=…, client_secret=…) as github:``; ``github.url`` is its base."""

    def __init__(self, *, client_id, client_secret):
        self.client_id, self.client_secret = client_id, client_secret
        self.emails = "emails"  # which recorded /user/emails answer (a test may change it)
        self.user = RECORDED["user"]["body"]
        self.codes = {}  # code -> (redirect_uri, code_challenge)
        self.tokens = set()
        self.requests = []  # (method, path, headers, form) of every request, for the tests to inspect
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self):
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._server.shutdown()
        self._server.server_close()

    def _handler(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # quiet
                pass

            def do_GET(self):
                url = urllib.parse.urlsplit(self.path)
                fake.requests.append(("GET", url.path, dict(self.headers), {}))
                if url.path == "/login/oauth/authorize":
                    return self._authorize(dict(urllib.parse.parse_qsl(url.query)))
                if url.path in ("/user", "/user/emails"):
                    if not self._bearer_ok():
                        return self._recorded("bad_credentials")
                    if url.path == "/user":
                        return self._json(200, fake.user)
                    return self._recorded(fake.emails)
                return self._json(404, {"message": "Not Found", "documentation_url": "https://docs.github.com/rest"})

            def do_POST(self):
                url = urllib.parse.urlsplit(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                form = dict(urllib.parse.parse_qsl(self.rfile.read(length).decode()))
                fake.requests.append(("POST", url.path, dict(self.headers), form))
                if url.path != "/login/oauth/access_token":
                    return self._json(404, {"message": "Not Found"})
                client_id, client_secret = form.get("client_id"), form.get("client_secret")
                if self.headers.get("Authorization", "").startswith("Basic "):
                    import base64

                    decoded = base64.b64decode(self.headers["Authorization"][6:]).decode()
                    client_id, _, client_secret = (urllib.parse.unquote(p) for p in decoded.partition(":"))
                issued = fake.codes.pop(form.get("code", ""), None)
                if (client_id, client_secret) != (fake.client_id, fake.client_secret) or issued is None \
                        or issued[0] != form.get("redirect_uri"):
                    return self._recorded("token_bad_code")  # GitHub answers 200 with an error member
                token = f"gho_{secrets.token_hex(18)}"
                fake.tokens.add(token)
                return self._json(200, {**RECORDED["token"]["body"], "access_token": token})

            def _authorize(self, query):
                if query.get("client_id") != fake.client_id:
                    return self._json(404, {"message": "Not Found"})
                code = secrets.token_hex(10)
                fake.codes[code] = (query.get("redirect_uri"), query.get("code_challenge"))
                back = {"code": code}
                if "state" in query:
                    back["state"] = query["state"]
                self.send_response(302)
                self.send_header("Location", f"{query['redirect_uri']}?{urllib.parse.urlencode(back)}")
                self.send_header("Content-Length", "0")
                self.end_headers()

            def _bearer_ok(self):
                scheme, _, token = self.headers.get("Authorization", "").partition(" ")
                return scheme.lower() in ("bearer", "token") and token in fake.tokens

            def _recorded(self, name):
                answer = RECORDED[name]
                self._json(answer["status"], answer["body"])

            def _json(self, status, body):
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        return Handler

    def issue_token(self):
        """An access token as the token endpoint would issue (for tests of the API reading alone)."""
        token = f"gho_{secrets.token_hex(18)}"
        self.tokens.add(token)
        return token
