"""EMAIL_URL and SITE_URL parsing (backend/env.py), and what start-up does with them."""
import os
import subprocess
import sys

import pytest
from django.core.exceptions import ImproperlyConfigured

from backend.env import email_from_url, site_url_from
from tests.test_settings import ROOT, SECRET, run_manage


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


def test_production_starts_without_mail_settings_and_a_bad_email_url_stops_it():
    # repro: production (DJANGO_DEBUG off) with neither SITE_URL nor EMAIL_URL must still start (recovery then
    # answers 503); a malformed EMAIL_URL or SITE_URL stops start-up naming the variable
    assert run_manage("check", DJANGO_SECRET_KEY=SECRET, SITE_URL="", EMAIL_URL="").returncode == 0
    bad_mail = run_manage("check", DJANGO_SECRET_KEY=SECRET, EMAIL_URL="smtp:/nohost")
    assert bad_mail.returncode != 0 and "EMAIL_URL" in bad_mail.stderr
    bad_site = run_manage("check", DJANGO_SECRET_KEY=SECRET, SITE_URL="auth.example.com")
    assert bad_site.returncode != 0 and "SITE_URL" in bad_site.stderr


def test_development_defaults():
    # repro: make run (DJANGO_DEBUG=1) prints mail to the terminal and builds links on http://127.0.0.1:8000
    code = (
        "import django, os; os.environ['DJANGO_SETTINGS_MODULE'] = 'backend.settings'; django.setup();"
        "from django.conf import settings as s; print(s.SITE_URL, s.EMAIL_URL, s.EMAIL_BACKEND, s.DEFAULT_FROM_EMAIL)"
    )
    env = {k: v for k, v in os.environ.items() if k not in ("SITE_URL", "EMAIL_URL", "EMAIL_FROM")}
    env["DJANGO_DEBUG"] = "1"
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert out.stdout.split() == [
        "http://127.0.0.1:8000", "console:", "django.core.mail.backends.console.EmailBackend",
        "Gatehouse", "<no-reply@localhost>",
    ], out.stderr
