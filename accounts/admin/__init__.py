"""The Django admin for users, sessions (refresh-token families) and security events.

Administrators see who is logged in where, end a device or a person, and
investigate a token-theft alarm. Three rules hold throughout:

- No secret is ever shown: ``token_seed`` is deferred (never loaded) and left
  out of every page; changelists filter only on the lookups each admin lists
  in ``allowed_lookups`` (its own filters and links), so no filter can be used
  as an oracle for a column the page does not show. Tokens themselves are not
  stored at all.
- Revoking goes through ``accounts.sessions.lifecycle``, the same functions the API
  calls, and records a security event naming the acting administrator.
- Pages stay fast on large tables: related rows are joined, not fetched per
  row; no full count; no facet counts; default orderings follow an index;
  the date hierarchy and searches avoid scanning every row.
"""
from django.contrib import admin
from django.utils.translation import gettext_lazy

from accounts.admin import (  # noqa: F401  (the model admins; reauth)
    events, federation, oauth_clients, outbox, personal_tokens, reauth, sessions, users, webhooks,
)

admin.site.site_header = gettext_lazy("Gatehouse administration")
admin.site.site_title = gettext_lazy("Gatehouse admin")
admin.site.index_title = gettext_lazy(
    "Users, sessions, personal access tokens, security events, mail, webhooks and sign-in providers"
)
