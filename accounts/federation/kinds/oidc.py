"""Any OpenID Connect provider with discovery (Keycloak, Okta, Auth0, authentik, Zitadel, Gatehouse itself)."""
from accounts.federation.kinds.base import Kind

KIND = Kind()
