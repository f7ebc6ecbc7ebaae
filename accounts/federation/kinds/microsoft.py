"""Microsoft Entra ID: the issuer names the tenant, and a multi-tenant one's ``iss`` varies by tenant.

For one tenant (``https://login.microsoftonline.com/<tenant-id>/v2.0``) the
ID token's ``iss`` must be exactly the discovery document's. The
multi-tenant endpoints (``common``, ``organizations``, ``consumers``) publish
``https://login.microsoftonline.com/{tenantid}/v2.0``: the ``iss`` must be
that template with the token's own ``tid`` put in, and nothing else, so a
token of any tenant is read as that tenant's (and the identity is keyed by
the issuer-independent ``sub`` plus our provider row).

Entra does not verify the ``email`` claim (an administrator of any tenant
can set any address): an address counts as verified only with the
``xms_edov`` optional claim ("email domain owner verified") set true.
"""
import re

from accounts.federation.kinds.base import Kind

_TENANT_TEMPLATE = "{tenantid}"
_MULTI_TENANT = ("common", "organizations", "consumers")
_TID = re.compile(r"^[0-9a-fA-F-]{36}$")


class Microsoft(Kind):
    name = "microsoft"
    label = "Microsoft"
    default_issuer = "https://login.microsoftonline.com/common/v2.0"
    registration_hint = "Microsoft Entra admin center, App registrations"

    def check_configuration(self, *, issuer: str) -> None:
        if issuer and not re.match(r"^https://login\.microsoftonline\.com/[^/]+/v2\.0/?$", issuer):
            raise ValueError(
                "Microsoft's issuer reads https://login.microsoftonline.com/<tenant>/v2.0 (the tenant's id, "
                "or common / organizations / consumers)."
            )

    def discovered_issuer_ok(self, *, configured: str, discovered: str) -> bool:
        if configured.rstrip("/").split("/")[-2] in _MULTI_TENANT:
            return discovered == "https://login.microsoftonline.com/{tenantid}/v2.0"
        return super().discovered_issuer_ok(configured=configured, discovered=discovered)

    def expected_issuers(self, *, metadata: dict, claims: dict) -> list[str]:
        issuer = metadata["issuer"]
        if _TENANT_TEMPLATE not in issuer:
            return [issuer]
        tid = claims.get("tid")
        if not isinstance(tid, str) or not _TID.match(tid):
            return []
        return [issuer.replace(_TENANT_TEMPLATE, tid)]

    def authorization_response_issuer_ok(self, *, metadata: dict, iss: str) -> bool:
        issuer = metadata["issuer"]
        if _TENANT_TEMPLATE not in issuer:
            return iss == issuer
        prefix, _, suffix = issuer.partition(_TENANT_TEMPLATE)
        middle = iss[len(prefix):len(iss) - len(suffix)] if iss.startswith(prefix) and iss.endswith(suffix) else ""
        return bool(_TID.match(middle))

    def email_verified(self, claims: dict) -> bool:
        return claims.get("xms_edov") is True and bool(claims.get("email"))


KIND = Microsoft()
