"""System checks for settings that start fine but leave a feature half-working.

Run by ``manage.py check --deploy`` (tagged ``deploy``), so development and the
test suite are not nagged.
"""
from django.core.checks import Tags, Warning, register

from accounts.sessions import jwt_keys


@register(Tags.security, deploy=True)
def access_tokens_name_their_issuer(app_configs, **kwargs):
    """Other services pin ``iss``; without SITE_URL or JWT_ISSUER production tokens carry none."""
    if jwt_keys.issuer():
        return []
    return [
        Warning(
            "Access tokens carry no 'iss' claim, so other services cannot pin the issuer.",
            hint="Set SITE_URL to the site's public URL (or JWT_ISSUER to the issuer name).",
            id="gatehouse.W001",
        )
    ]
