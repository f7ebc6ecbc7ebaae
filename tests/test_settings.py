"""Start-up configuration: read from the environment, bad values refused clearly."""
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings

from backend import env

ROOT = Path(__file__).resolve().parent.parent
SECRET = "s3cr3t-" + "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJ"


def run_manage(*args, **environment):
    clean = {
        key: value for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "DATABASE_URL", "SITE_URL", "JWT_", "EMAIL_URL", "WEB_CONCURRENCY"))
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env={**clean, **environment},
        capture_output=True, text=True, timeout=120,
    )


def test_production_mode_without_a_secret_refuses_to_start():
    result = run_manage("check")

    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY is not set" in result.stderr


def test_production_mode_with_a_secret_starts():
    result = run_manage("check", DJANGO_SECRET_KEY=SECRET)

    assert result.returncode == 0, result.stderr


def test_a_bad_number_names_the_variable():
    result = run_manage("check", DJANGO_SECRET_KEY=SECRET, ACCESS_TOKEN_TTL="five minutes")

    assert result.returncode != 0
    assert "ACCESS_TOKEN_TTL must be a whole number" in result.stderr


def test_a_negative_verified_token_cache_size_names_the_variable():
    result = run_manage("check", DJANGO_SECRET_KEY=SECRET, VERIFIED_TOKEN_CACHE_SIZE="-1")

    assert result.returncode != 0
    assert "VERIFIED_TOKEN_CACHE_SIZE must be at least 0" in result.stderr


def test_admin_session_idle_ttl_sets_the_admin_session_lifetime_and_a_bad_value_names_it():
    show = "from django.conf import settings; print(settings.SESSION_COOKIE_AGE, settings.SESSION_ENGINE)"
    result = run_manage("shell", "--verbosity", "0", "-c", show, DJANGO_SECRET_KEY=SECRET, ADMIN_SESSION_IDLE_TTL="900")
    bad = run_manage("check", DJANGO_SECRET_KEY=SECRET, ADMIN_SESSION_IDLE_TTL="two hours")

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["900", "accounts.admin.session_store"]
    assert bad.returncode != 0
    assert "ADMIN_SESSION_IDLE_TTL must be a whole number" in bad.stderr


def test_argon2_is_the_first_password_hasher():
    import backend.settings

    assert backend.settings.PASSWORD_HASHERS[0] == "accounts.hashing.GatehouseArgon2PasswordHasher"


def test_sqlite_is_the_default_with_immediate_transactions_and_wal(tmp_path):
    config = env.database_from_url(None, default_sqlite=tmp_path / "db.sqlite3")

    assert config["ENGINE"] == "django.db.backends.sqlite3"
    assert config["NAME"] == str(tmp_path / "db.sqlite3")
    assert config["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
    assert "journal_mode=WAL" in config["OPTIONS"]["init_command"]


def test_postgres_comes_from_database_url(tmp_path):
    config = env.database_from_url("postgres://app@db.internal:5432/gatehouse", default_sqlite=tmp_path / "x")

    assert config["ENGINE"] == "django.db.backends.postgresql"
    assert (config["HOST"], config["NAME"], config["USER"]) == ("db.internal", "gatehouse", "app")
    assert config["CONN_HEALTH_CHECKS"] is True


def test_an_unknown_database_url_is_a_clear_error(tmp_path):
    with pytest.raises(ImproperlyConfigured, match="DATABASE_URL"):
        env.database_from_url("mongodb://nope", default_sqlite=tmp_path / "x")


@pytest.mark.parametrize("raw, expected", [("1", True), ("on", True), ("No", False), ("0", False)])
def test_env_bool_reads_the_usual_spellings(monkeypatch, raw, expected):
    monkeypatch.setenv("SOME_FLAG", raw)
    assert env.env_bool("SOME_FLAG", not expected) is expected


def test_env_bool_refuses_anything_else(monkeypatch):
    monkeypatch.setenv("SOME_FLAG", "maybe")
    with pytest.raises(ImproperlyConfigured, match="SOME_FLAG"):
        env.env_bool("SOME_FLAG", False)


def test_env_int_enforces_its_minimum(monkeypatch):
    monkeypatch.setenv("SOME_TTL", "0")
    with pytest.raises(ImproperlyConfigured, match="SOME_TTL must be at least 1"):
        env.env_int("SOME_TTL", 5, minimum=1)


def test_env_list_splits_on_commas(monkeypatch):
    monkeypatch.setenv("SOME_LIST", " https://a.example, ,https://b.example ")
    assert env.env_list("SOME_LIST") == ["https://a.example", "https://b.example"]


def test_env_subset_is_all_by_default_none_when_empty_and_refuses_unknown_names(monkeypatch):
    choices = ["password_changed", "new_device"]
    monkeypatch.delenv("SOME_NOTICES", raising=False)
    assert env.env_subset("SOME_NOTICES", choices) == set(choices)
    for empty in ("", "none", " none "):
        monkeypatch.setenv("SOME_NOTICES", empty)
        assert env.env_subset("SOME_NOTICES", choices) == set()
    monkeypatch.setenv("SOME_NOTICES", " new_device, ")
    assert env.env_subset("SOME_NOTICES", choices) == {"new_device"}
    monkeypatch.setenv("SOME_NOTICES", "new_device,new_devices")
    with pytest.raises(ImproperlyConfigured, match="SOME_NOTICES must be a comma-separated list .*got new_devices"):
        env.env_subset("SOME_NOTICES", choices)


def test_mail_notices_and_the_verification_mode_are_read_and_checked():
    show = (
        "from django.conf import settings; "
        "print(sorted(settings.GATEHOUSE['MAIL_NOTICES']), settings.GATEHOUSE['SIGNUP_EMAIL_VERIFICATION'])"
    )
    result = run_manage("shell", "--verbosity", "0", "-c", show, DJANGO_SECRET_KEY=SECRET,
                        MAIL_NOTICES="new_device,refresh_reuse", SIGNUP_EMAIL_VERIFICATION="mandatory")
    bad = run_manage("check", DJANGO_SECRET_KEY=SECRET, SIGNUP_EMAIL_VERIFICATION="always")

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["['new_device',", "'refresh_reuse']", "mandatory"]
    assert bad.returncode != 0 and "SIGNUP_EMAIL_VERIFICATION must be one of none, optional, mandatory" in bad.stderr


def test_a_short_jwt_signing_key_is_refused():
    result = run_manage("check", DJANGO_SECRET_KEY=SECRET, JWT_SIGNING_KEY="too-short")

    assert result.returncode != 0
    assert "JWT_SIGNING_KEY must be at least 32 bytes" in result.stderr


def test_production_settings_pass_the_deployment_checklist():
    result = run_manage(
        "check", "--deploy", "--fail-level", "WARNING", DJANGO_SECRET_KEY=SECRET, SITE_URL="https://auth.example.com",
        EMAIL_URL="smtp+tls://mailer:secret@smtp.example.com:587",
    )

    assert result.returncode == 0, result.stderr


def test_the_deployment_checklist_warns_of_a_site_url_without_email_url():
    # Repro (issue 19, item 15): SITE_URL set, no EMAIL_URL: check --deploy passed, then reset answered 503.
    result = run_manage(
        "check", "--deploy", "--fail-level", "WARNING", DJANGO_SECRET_KEY=SECRET, SITE_URL="https://auth.example.com"
    )

    assert result.returncode != 0
    assert "gatehouse.W002" in result.stderr and "HINT: Set EMAIL_URL" in result.stderr


def test_the_deployment_checklist_warns_of_several_workers_without_redis(monkeypatch):
    # Repro (issue 19, item 15): WEB_CONCURRENCY=4 and no REDIS_URL passed; each limit then counted per worker.
    from django.core.checks import run_checks

    from accounts import checks

    monkeypatch.setenv("WEB_CONCURRENCY", "4")
    with override_settings(REDIS_URL=None):
        (warning,) = checks.limits_are_shared_by_every_worker(None)
        assert warning.id == "gatehouse.W003" and "REDIS_URL" in warning.hint
        assert "gatehouse.W003" in {message.id for message in run_checks(include_deployment_checks=True)}
        assert "gatehouse.W003" not in {message.id for message in run_checks()}  # development is not nagged
    with override_settings(REDIS_URL="redis://127.0.0.1:6379/0"):
        assert checks.limits_are_shared_by_every_worker(None) == []
    monkeypatch.setenv("WEB_CONCURRENCY", "1")
    with override_settings(REDIS_URL=None):
        assert checks.limits_are_shared_by_every_worker(None) == []


def test_production_without_a_site_url_starts_and_the_deployment_checklist_says_tokens_lack_an_issuer():
    # Repro: tokens silently carried no iss when neither SITE_URL nor JWT_ISSUER was set in production.
    assert run_manage("check", DJANGO_SECRET_KEY=SECRET).returncode == 0

    result = run_manage("check", "--deploy", "--fail-level", "WARNING", DJANGO_SECRET_KEY=SECRET)

    assert result.returncode != 0
    assert "gatehouse.W001" in result.stderr and "SITE_URL" in result.stderr
    assert run_manage(
        "check", "--deploy", "--fail-level", "WARNING", DJANGO_SECRET_KEY=SECRET, JWT_ISSUER="https://auth.example.com"
    ).returncode == 0


def test_the_issuer_and_audience_come_from_the_environment(monkeypatch):
    # Repro: JWT_ISSUER and JWT_AUDIENCE were not read; SITE_URL had no development default.
    def jwt_settings(**environment):
        for name in ("SITE_URL", "JWT_ISSUER", "JWT_AUDIENCE", "DJANGO_DEBUG", "HOST", "PORT"):
            monkeypatch.delenv(name, raising=False)
        for name, value in environment.items():
            monkeypatch.setenv(name, value)
        path = ROOT / "backend" / "settings.py"
        namespace = {"__file__": str(path), "__name__": "settings_under_test"}
        exec(compile(path.read_text(), str(path), "exec"), namespace)
        return namespace["SITE_URL"], namespace["GATEHOUSE"]["JWT"]["ISSUER"], namespace["GATEHOUSE"]["JWT"]["AUDIENCE"]

    # An unset JWT_ISSUER is None here: the keys take SITE_URL then (tests/sessions/test_claims.py).
    assert jwt_settings(DJANGO_DEBUG="1") == ("http://127.0.0.1:8000", None, None)
    assert jwt_settings() == (None, None, None)
    assert jwt_settings(SITE_URL="https://a.example") == ("https://a.example", None, None)
    assert jwt_settings(SITE_URL="https://a.example", JWT_ISSUER="gatehouse", JWT_AUDIENCE="api") == (
        "https://a.example", "gatehouse", "api",
    )


def _settings_from(monkeypatch, **environment):
    for name in ("SITE_URL", "JWT_ISSUER", "JWT_AUDIENCE", "DJANGO_DEBUG", "HOST", "PORT"):
        monkeypatch.delenv(name, raising=False)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    path = ROOT / "backend" / "settings.py"
    namespace = {"__file__": str(path), "__name__": "settings_under_test"}
    exec(compile(path.read_text(), str(path), "exec"), namespace)
    return namespace


def test_make_run_on_another_port_mails_links_and_issues_tokens_for_that_port(monkeypatch):
    # Repro: `make run PORT=8300` kept SITE_URL (every mailed link, and the tokens' iss) at port 8000.
    dry_run = subprocess.run(
        ["make", "-n", "run", "PORT=8300", "HOST=127.0.0.1"], cwd=ROOT, capture_output=True, text=True, timeout=60,
    )
    (serve,) = [line for line in dry_run.stdout.splitlines() if "runserver" in line]
    passed = dict(word.split("=", 1) for word in serve.split() if word.split("=", 1)[0] in ("HOST", "PORT"))
    assert passed == {"HOST": "127.0.0.1", "PORT": "8300"}

    assert _settings_from(monkeypatch, DJANGO_DEBUG="1", **passed)["SITE_URL"] == "http://127.0.0.1:8300"
    assert _settings_from(monkeypatch, DJANGO_DEBUG="1")["SITE_URL"] == "http://127.0.0.1:8000"
    assert _settings_from(monkeypatch, DJANGO_DEBUG="1", HOST="localhost", PORT="8300")["SITE_URL"] == (
        "http://localhost:8300"
    )
    assert _settings_from(monkeypatch, DJANGO_DEBUG="1", HOST="0.0.0.0", PORT="9000")["SITE_URL"] == (
        "http://127.0.0.1:9000"
    )
    assert _settings_from(monkeypatch, DJANGO_DEBUG="1", HOST="::", PORT="9000")["SITE_URL"] == "http://[::1]:9000"
    # An explicit SITE_URL wins; production never guesses one from HOST/PORT.
    assert _settings_from(monkeypatch, DJANGO_DEBUG="1", PORT="8300", SITE_URL="https://a.example")["SITE_URL"] == (
        "https://a.example"
    )
    assert _settings_from(monkeypatch, HOST="127.0.0.1", PORT="8300", DJANGO_SECRET_KEY=SECRET)["SITE_URL"] is None
    with pytest.raises(ImproperlyConfigured, match="PORT"):
        _settings_from(monkeypatch, DJANGO_DEBUG="1", PORT="eighty")


def test_the_openapi_schema_validates_without_warnings():
    result = run_manage("spectacular", "--validate", "--fail-on-warn", DJANGO_SECRET_KEY=SECRET)

    assert result.returncode == 0, result.stderr


def test_production_sends_hsts_and_redirects_to_https():
    script = (
        "from django.conf import settings as s; "
        "print(s.SECURE_HSTS_SECONDS, s.SECURE_HSTS_INCLUDE_SUBDOMAINS, s.SECURE_SSL_REDIRECT, s.SESSION_COOKIE_SECURE)"
    )
    result = run_manage("shell", "-c", script, DJANGO_SECRET_KEY=SECRET)

    assert result.stdout.strip().splitlines()[-1].split() == ["31536000", "True", "True", "True"]


def test_a_bad_throttle_rate_names_the_variable():
    result = run_manage("check", DJANGO_SECRET_KEY=SECRET, LOGIN_RATE_PER_IP="lots")

    assert result.returncode != 0
    assert "LOGIN_RATE_PER_IP must be a rate like 30/min" in result.stderr


@pytest.mark.parametrize("secret", ["short", "a" * 64, "abcd" * 20])
def test_production_refuses_a_weak_secret_key(secret):
    # Repro: DJANGO_SECRET_KEY=short was accepted in production; refresh tokens are keyed from it.
    result = run_manage("check", DJANGO_SECRET_KEY=secret)

    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY is too weak" in result.stderr


def _variables_the_settings_read():
    import ast

    tree = ast.parse((ROOT / "backend" / "settings.py").read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            reader = node.func.id.startswith("env_") or node.func.id in ("_pem", "require_strong_secret")
            if reader and node.args and isinstance(node.args[0], ast.Constant):
                yield node.args[0].value


def _variables_in_the_readme_table():
    import re

    readme = (ROOT / "README.md").read_text()
    table = readme.split("## Configuration", 1)[1].split("\n## ", 1)[0]
    for line in table.splitlines():
        if line.startswith("| `"):
            yield from re.findall(r"`([A-Z][A-Z0-9_]+)`", line.split("|")[1])


def test_every_variable_the_settings_read_is_in_the_readme_table():
    # Repro: SECURE_SSL_REDIRECT, SECURE_HSTS_*, the log level and ACCESS_TOKEN_BINDING were read but undocumented.
    read = set(_variables_the_settings_read())

    assert read, "found no environment reads in backend/settings.py"
    assert read - set(_variables_in_the_readme_table()) == set()


def test_a_weak_introspection_secret_is_refused():
    # INTROSPECTION_SECRET guards what any service may learn about any token: as strong as DJANGO_SECRET_KEY.
    result = run_manage("check", DJANGO_SECRET_KEY=SECRET, INTROSPECTION_SECRET="short")

    assert result.returncode != 0
    assert "INTROSPECTION_SECRET is too weak" in result.stderr
