"""The refresh's read of a client grant and its client, written once per process (as ``accounts.sessions.hotpath``).

A client's refresh runs the browser's locked session read and rotation
UPDATE (``accounts.sessions.hotpath``) plus this one read; with the ORM,
compiling this join cost more than the rest of the refresh together.
"""
from functools import cache

from django.db import connections

from accounts.oidc_provider.models import ClientGrant, OAuthClient
from accounts.sessions.hotpath import _adapter, _Columns


class _Statement:
    def __init__(self, alias):
        connection = connections[alias]
        quote = connection.ops.quote_name
        g, c = quote("g"), quote("c")
        self.grant = _Columns(ClientGrant, "g", connection)
        self.client = _Columns(OAuthClient, "c", connection)
        client_fk = ClientGrant._meta.get_field("client").column
        self.sql = (
            f"SELECT {self.grant.sql}, {self.client.sql} FROM {quote(ClientGrant._meta.db_table)} {g} "
            f"INNER JOIN {quote(OAuthClient._meta.db_table)} {c} "
            f"ON ({g}.{quote(client_fk)} = {c}.{quote(OAuthClient._meta.pk.column)}) "
            f"WHERE {g}.{quote(ClientGrant._meta.pk.column)} = %s"
        )
        self.pk_adapter = _adapter(ClientGrant._meta.pk, connection)


@cache
def _statement(alias):
    return _Statement(alias)


def grant_with_client(session_id, *, alias="default"):
    """The grant of the session ``session_id`` with its client loaded; None when the session is no client's."""
    connection = connections[alias]
    statement = _statement(alias)
    with connection.cursor() as cursor:
        cursor.execute(statement.sql, [statement.pk_adapter(session_id)])
        row = cursor.fetchone()
    if row is None:
        return None
    split = len(statement.grant.fields)
    grant = statement.grant.load(alias, row[:split], connection)
    client = statement.client.load(alias, row[split:], connection)
    ClientGrant.client.field.set_cached_value(grant, client)
    return grant
