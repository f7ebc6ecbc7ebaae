"""A real webhook receiver on loopback: a threaded ``http.server`` that verifies each POST with the
``standardwebhooks`` package's own verifier, as a team's app would.

``down()`` closes the socket (connections are refused), ``up()`` listens
again on the same port; ``fail_next(n)`` answers 500 to the next n requests.
"""
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from standardwebhooks.webhooks import Webhook, WebhookVerificationError


class Receiver:
    def __init__(self, secret):
        self.verifier = Webhook(secret)
        self.received = []  # (headers, body as parsed) of every verified request
        self.refused = 0  # requests whose signature did not verify
        self.attempts = []  # webhook-id of every request, verified or not, answered or failed
        self._failures_left = 0
        self._lock = threading.Lock()
        self._server = None
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}/hooks"

    def up(self):
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                headers = {name.lower(): value for name, value in self.headers.items()}
                with receiver._lock:
                    receiver.attempts.append(headers.get("webhook-id"))
                    failing = receiver._failures_left > 0
                    receiver._failures_left -= failing
                try:
                    payload = receiver.verifier.verify(body, headers)
                except WebhookVerificationError:
                    with receiver._lock:
                        receiver.refused += 1
                    self.send_response(400)
                    self.end_headers()
                    return
                if failing:
                    self.send_response(500)
                    self.end_headers()
                    return
                with receiver._lock:
                    receiver.received.append((headers, payload))
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args):
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def down(self):
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def fail_next(self, count):
        with self._lock:
            self._failures_left = count

    def types(self):
        return [payload["type"] for _, payload in self.received]

    def wait_for(self, count, timeout=20.0):
        deadline = time.monotonic() + timeout
        while len(self.received) < count:
            if time.monotonic() > deadline:
                raise AssertionError(f"received {len(self.received)} of {count} webhooks: {self.types()}")
            time.sleep(0.02)
        return list(self.received)
