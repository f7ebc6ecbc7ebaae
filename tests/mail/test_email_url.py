"""EMAIL_URL and SITE_URL parsing (backend/env.py)."""
import pytest
from django.core.exceptions import ImproperlyConfigured

from backend.env import email_from_url, site_url_from


def test_console():
    assert email_from_url("console:") == {"EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"}


@pytest.mark.parametrize(
    "url, host, port, tls, ssl",
    [
        ("smtp://mail.example.com", "mail.example.com", 25, False, False),
        ("smtp://127.0.0.1:2525", "127.0.0.1", 2525, False, False),
        ("smtp+tls://mail.example.com", "mail.example.com", 587, True, False),
        ("smtp+ssl://mail.example.com:4650", "mail.example.com", 4650, False, True),
    ],
)
def test_smtp_schemes(url, host, port, tls, ssl):
    config = email_from_url(url)
    assert config["EMAIL_BACKEND"] == "django.core.mail.backends.smtp.EmailBackend"
    assert (config["EMAIL_HOST"], config["EMAIL_PORT"], config["EMAIL_USE_TLS"], config["EMAIL_USE_SSL"]) == (
        host, port, tls, ssl,
    )


def test_credentials_are_percent_decoded():
    config = email_from_url("smtp+tls://apikey:p%40ss%3Aword@smtp.example.com:587")
    assert (config["EMAIL_HOST_USER"], config["EMAIL_HOST_PASSWORD"]) == ("apikey", "p@ss:word")


@pytest.mark.parametrize("url", ["http://mail.example.com", "smtp://", "smtp://host:notaport", "smtp://h/path", "x"])
def test_bad_urls_stop_start_up(url):
    with pytest.raises(ImproperlyConfigured, match="EMAIL_URL"):
        email_from_url(url)


def test_site_url():
    assert site_url_from("https://auth.example.com/") == "https://auth.example.com"
    assert site_url_from("") is None
    with pytest.raises(ImproperlyConfigured, match="SITE_URL"):
        site_url_from("auth.example.com")
