"""Is this login from a device the account has used before?

A device is the user agent's family (``accounts.useragent``: "Firefox on
Linux", no versions) on a network (the IPv4 /24 or IPv6 /64), stored as an
HMAC keyed from ``SECRET_KEY``. A login from a known device costs one
indexed read (and, at most once a day, an UPDATE of ``last_seen_at``); only
a device seen for the first time costs more: it is recorded, and the owner
is mailed (``new_device`` notice) unless the account had no device recorded
yet (its first login after sign-up elsewhere, or after the feature arrived).
With the ``new_device`` notice turned off nothing is looked up or stored.
"""
import ipaddress
from datetime import timedelta
from functools import cache

from django.db import DEFAULT_DB_ALIAS, IntegrityError, connections, transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac

from accounts.devices.models import KnownDevice
from accounts.mail import notices
from accounts.useragent import device_family

_SALT = "gatehouse.devices.known-device"
# last_seen_at is written at most this often per device.
_TOUCH_EVERY = timedelta(days=1)
# A device not seen for this long is forgotten; an account keeps at most _KEEP.
_FORGET_AFTER = timedelta(days=365)
_KEEP = 50


def network(ip_address: str | None) -> str:
    """The IPv4 /24 or IPv6 /64 an address is in ("unknown" without one)."""
    if not ip_address:
        return "unknown"
    try:
        address = ipaddress.ip_address(ip_address)
    except ValueError:
        return "unknown"
    if address.version == 6 and address.ipv4_mapped:
        address = address.ipv4_mapped
    prefix = 24 if address.version == 4 else 64
    return str(ipaddress.ip_network(f"{address}/{prefix}", strict=False))


def device_digest(client) -> str:
    value = f"{device_family(client.user_agent)}|{network(client.ip_address)}"
    return salted_hmac(_SALT, value, algorithm="sha256").hexdigest()


def note_login(*, user, client, now=None) -> bool:
    """Remember the device of a successful login; mail the owner when it is new. True when it was new."""
    if not notices.enabled(notices.NEW_DEVICE):
        return False
    now = now or timezone.now()
    digest = device_digest(client)
    known = _known(user_pk=user.pk, digest=digest, stale_before=now - _TOUCH_EVERY)
    if known is not None:
        pk, stale = known
        if stale:
            KnownDevice.objects.filter(pk=pk).update(last_seen_at=now)
        return False
    with transaction.atomic():
        had_devices = KnownDevice.objects.filter(user_id=user.pk).exists()
        if not _record(user=user, digest=digest, now=now):
            return False  # a concurrent login from this device recorded it first (and told the owner)
        _forget_old(user=user, now=now)
        if had_devices:
            notices.new_device(user=user, client=client, when=now)
    return had_devices


def _known(*, user_pk, digest, stale_before):
    """(id, whether last_seen_at is older than ``stale_before``) of a known device; None when it is new.

    Every login runs this: SQL written once per database from the model,
    not built by the ORM on each call (which costs more than the lookup).
    """
    connection = connections[DEFAULT_DB_ALIAS]
    with connection.cursor() as cursor:
        stale = connection.ops.adapt_datetimefield_value(stale_before)
        cursor.execute(_known_sql(connection.alias), [stale, user_pk, digest])
        row = cursor.fetchone()
    return None if row is None else (row[0], bool(row[1]))


@cache
def _known_sql(alias) -> str:
    quote = connections[alias].ops.quote_name
    meta = KnownDevice._meta

    def column(name):
        return quote(meta.get_field(name).column)

    return (
        f"SELECT {column('id')}, {column('last_seen_at')} < %s FROM {quote(meta.db_table)} "
        f"WHERE {column('user')} = %s AND {column('digest')} = %s"
    )


def remember(*, user, client, now=None) -> None:
    """Record a device as known without telling anyone (the one an account was created on)."""
    if notices.enabled(notices.NEW_DEVICE):
        _record(user=user, digest=device_digest(client), now=now or timezone.now())


def _record(*, user, digest, now) -> bool:
    try:
        with transaction.atomic():
            KnownDevice.objects.create(user_id=user.pk, digest=digest, first_seen_at=now, last_seen_at=now)
    except IntegrityError:
        return False
    return True


def _forget_old(*, user, now) -> None:
    devices = KnownDevice.objects.filter(user_id=user.pk)
    devices.filter(last_seen_at__lt=now - _FORGET_AFTER).delete()
    beyond = list(devices.order_by("-last_seen_at", "-pk").values_list("pk", flat=True)[_KEEP:])
    if beyond:
        KnownDevice.objects.filter(pk__in=beyond).delete()
