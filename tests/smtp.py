"""A real SMTP server on a free loopback port (aiosmtpd), collecting what it receives."""
import email
import email.policy
import socket
import time

import pytest
from aiosmtpd.controller import Controller

from backend.env import email_from_url


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class _Collector:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(email.message_from_bytes(envelope.content, policy=email.policy.default))
        return "250 Message accepted"


class SMTPServer:
    """Start, stop and start again on one port; ``messages`` survives restarts."""

    def __init__(self, port):
        self.port = port
        self.url = f"smtp://127.0.0.1:{port}"
        self._collector = _Collector()
        self._controller = None

    @property
    def messages(self):
        return self._collector.messages

    def start(self):
        self._controller = Controller(self._collector, hostname="127.0.0.1", port=self.port)
        self._controller.start()

    def stop(self):
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def wait_for(self, count, timeout=20.0):
        """Wait (generously) until ``count`` messages arrived; returns them."""
        deadline = time.monotonic() + timeout
        while len(self.messages) < count and time.monotonic() < deadline:
            time.sleep(0.05)
        return list(self.messages)

    def to(self, address):
        return [message for message in self.messages if message["To"] == address]


def point_mail_at(settings, url):
    settings.EMAIL_URL = url
    for name, value in email_from_url(url).items():
        setattr(settings, name, value)


@pytest.fixture
def smtp_down(settings):
    """A port with nothing listening yet, and the settings pointing mail at it."""
    server = SMTPServer(free_port())
    point_mail_at(settings, server.url)
    yield server
    server.stop()


@pytest.fixture
def smtp_server(smtp_down):
    """A running SMTP server that Django's SMTP backend delivers to."""
    smtp_down.start()
    return smtp_down


def body_text(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()
