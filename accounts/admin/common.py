"""Helpers shared by the model admins: allow-listed lookups, links, search terms."""
import functools
import ipaddress
import re

from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import CharField, Q, Value
from django.templatetags.static import static
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.html import format_html
from django.utils.http import urlencode
from django.utils.text import smart_split, unescape_string_literal

from accounts.models import RefreshSession, RevocationReason
from accounts.useragent import describe

User = get_user_model()

REVOKE_PERMISSION = "accounts.revoke_refreshsession"


class AllowedLookupsMixin:
    """Changelist lookups from an allow-list: the parameters the admin's own pages use.

    Django's default lets a changelist filter on any column of the model
    (``?password_fingerprint__startswith=a``) and, through the list filters,
    across relations: each such filter tells, by whether a row is listed, one
    more character of a value the page never shows. A deny-list of secret
    columns misses the next one added. So each admin names in
    ``allowed_lookups`` exactly the query parameters of its list filters, its
    date hierarchy and the links other pages make to it, and every other
    lookup makes the changelist raise ``DisallowedModelAdminLookup``: a 400,
    the same whatever the value, with nothing filtered.
    (Search, ordering and paging are not lookups; each admin's
    ``get_search_results`` bounds what the search box matches.)
    """

    allowed_lookups = frozenset()

    def lookup_allowed(self, lookup, value, request=None):
        return lookup in self.allowed_lookups


class RevokeNotDeleteMixin:
    """For things that end by revocation (sessions, personal tokens): a live one is revoked, never deleted.

    Deleting it would end it without an audit record; ended rows may be
    deleted (by superusers, as ``ReadOnlyAdminMixin`` allows), and
    ``manage.py cleanup_sessions`` removes old ones. ``revoke_permission``
    names who may run the admin's revoke action.
    """

    revoke_permission = None

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.is_active():
            return False
        return super().has_delete_permission(request, obj)

    def has_revoke_permission(self, request):
        return request.user.has_perm(self.revoke_permission)


def user_condition(term):
    """Rows of a user whose username or email contains ``term``."""
    users = User.objects.filter(Q(username__icontains=term) | Q(email__icontains=term)).values("pk")
    return Q(user__in=users)


class ReadOnlyAdminMixin:
    """Nobody adds or edits; only superusers delete (retention)."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser and super().has_delete_permission(request, obj)


def admin_url(model, pk):
    opts = model._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[pk])


def changelist_url(model, **params):
    opts = model._meta
    url = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
    return f"{url}?{urlencode(params)}" if params else url


def user_link(user_id, username):
    if user_id is None:
        return username or "-"
    return format_html('<a href="{}">{}</a>', admin_url(User, user_id), username or user_id)


def session_link(session_id):
    if session_id is None:
        return "-"
    return format_html('<a href="{}">{}</a>', admin_url(RefreshSession, session_id), str(session_id)[:8])


def short_user_agent(user_agent):
    """The device as the app names it ("Chrome on macOS", ``accounts.useragent``); the raw string on hover."""
    if not user_agent:
        return "-"
    return format_html('<span title="{}">{}</span>', user_agent, describe(user_agent).label)


def admin_time(value):
    """A moment as every admin page writes it (``accounts/formats``): 2026-12-07 14:05 UTC."""
    if value is None:
        return "-"
    return formats.date_format(timezone.localtime(value), "DATETIME_FORMAT")


@functools.lru_cache(maxsize=32)
def icon(name, alt):
    """An admin icon; kept per process (one per status, on every row of a list), as static() looks it up each time."""
    return format_html('<img src="{}" alt="{}">', static(f"admin/img/icon-{name}.svg"), alt)


def reason_label(reason):
    try:
        return RevocationReason(reason).label
    except ValueError:
        return reason


# Groups of at most 3 decimal or 4 hex digits: a longer run is no address (and int() of thousands of digits fails).
_IP_PREFIX = re.compile(r"[0-9]{1,3}(\.[0-9]{0,3})+|[0-9a-fA-F]{0,4}(:[0-9a-fA-F]{0,4})+")


def search_terms(search_term):
    # A NUL is no part of any name or address (and PostgreSQL refuses it in text).
    for bit in smart_split(search_term.replace("\x00", "")):
        if bit.startswith(('"', "'")) and bit[0] == bit[-1]:
            bit = unescape_string_literal(bit)
        if bit:
            yield bit


def ip_condition(term, *fields):
    """An exact match for a whole address, a prefix match for a partial one, else None.

    A prefix is matched as a range of the column, never with LIKE (which no
    index serves, and which PostgreSQL runs on ``HOST(column)`` text): see
    ``ip_prefix_condition``.
    """
    try:
        address = str(ipaddress.ip_address(term))
    except ValueError:
        if not _IP_PREFIX.fullmatch(term):
            return None
        return Q.create([ip_prefix_condition(field, term.lower()) for field in fields], connector=Q.OR)
    return Q.create([(field, address) for field in fields], connector=Q.OR)


def ip_prefix_condition(field, prefix):
    """The rows whose address in ``field`` starts with ``prefix``, as index ranges.

    On SQLite the column is text: the addresses from ``prefix`` up to, not
    including, ``prefix`` with its last character raised by one (``10.1.2.``
    to ``10.1.2/``) are exactly those whose text starts with it. On
    PostgreSQL it is ``inet``: ``ip_prefix_ranges`` turns the prefix into the
    address ranges it covers (``198.51.100.`` is 198.51.100.0-198.51.100.255).
    A prefix no range describes (text after a ``::``) falls back to matching
    the address's text, unindexed.
    """
    if connection.vendor != "postgresql":
        # Text bounds, kept text: the field would normalise a bound that parses as an address
        # ("2001:db8:0:9" raised to "2001:db8:0::" reads "2001:db8::").
        low, high = prefix, prefix[:-1] + chr(ord(prefix[-1]) + 1)
        return Q(**{f"{field}__gte": Value(low, output_field=CharField()),
                    f"{field}__lt": Value(high, output_field=CharField())})
    ranges = ip_prefix_ranges(prefix)
    if ranges is None:
        return Q(**{f"{field}__istartswith": prefix})
    if not ranges:
        return Q(pk__in=[])
    return Q.create(
        [Q(**{f"{field}__gte": str(first), f"{field}__lte": str(last)}) for first, last in ranges], connector=Q.OR
    )


def ip_prefix_ranges(prefix):
    """The (first, last) address ranges whose addresses, written out, start with ``prefix``; None if not ranges.

    IPv4: every group typed in full, then the values of the group being typed
    whose digits start with what is typed ("198.51.1" is 198.51.1.*,
    198.51.10-19.* and 198.51.100-199.*). IPv6 likewise, group by group in
    hex; a prefix with ``::`` (then more text) is None. An empty list: no
    address can start so (a group above 255, a leading zero).
    """
    if ":" in prefix:
        if "::" in prefix:
            return None
        separator, base, top, groups, version = ":", 16, 0xFFFF, 8, ipaddress.IPv6Address
    else:
        separator, base, top, groups, version = ".", 10, 255, 4, ipaddress.IPv4Address
    *whole, partial = prefix.split(separator)
    if len(whole) >= groups or not all(_is_group(text, base, top) for text in whole):
        return []
    if partial and not _is_group(partial, base, top):
        return []
    fixed = [int(text, base) for text in whole]
    rest = groups - len(whole) - 1
    return [
        (_address(version, base, [*fixed, low] + [0] * rest), _address(version, base, [*fixed, high] + [top] * rest))
        for low, high in _group_values(partial, base, top)
    ]


_DIGITS = {10: frozenset("0123456789"), 16: frozenset("0123456789abcdef")}


def _is_group(text, base, top):
    """``text`` is a group as an address is written: digits of ``base``, no leading zero, at most ``top``."""
    return bool(text) and set(text) <= _DIGITS[base] and (text == "0" or text[0] != "0") and int(text, base) <= top


def _group_values(partial, base, top):
    """The runs of group values whose written form starts with ``partial`` ("25": 25 and 250-255)."""
    if not partial:
        return [(0, top)]
    if partial[0] == "0":
        return [(0, 0)] if partial == "0" else []
    value, scale, runs = int(partial, base), 1, []
    while value * scale <= top:
        runs.append((value * scale, min(value * scale + scale - 1, top)))
        scale *= base
    return runs


def _address(version, base, values):
    if version is ipaddress.IPv4Address:
        return version(bytes(values))
    return version(b"".join(value.to_bytes(2, "big") for value in values))
