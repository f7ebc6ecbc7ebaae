"""Precompiled SQL: a row and the row its foreign key points to, read in one statement written once per process.

Building a query with the ORM costs more than running it: resolving the
lookups, the join and the select list of two models took longer than SQLite
took to answer. The lookups below are written once per process and
database alias from the models' metadata (table and column names, how each
field's value is adapted and converted), so they follow the models, and are
then only executed through Django's cursor (so query logging, the test
suite's counting and ``connection.execute_wrapper`` see them). Each answers
what the ORM call it replaces answers.

Only where a measured target needs it (each user names its target):
the refresh's locked session read (``accounts.sessions.hotpath``), a
client's grant at its refresh (``accounts.oidc_provider.hotpath``), the
provider callback's sign-in in flight (read and used up) and identity
(``accounts.federation``, the callback under 5 ms).
"""
from functools import partial

from django.db import connections, models
from django.db.models import signals
from django.db.transaction import TransactionManagementError

# Django's own field classes whose database value is the model value itself.
_PASSED_AS_IS = (
    models.CharField, models.TextField, models.BooleanField, models.IntegerField,
    models.PositiveIntegerField, models.SmallIntegerField, models.BigIntegerField,
    models.AutoField, models.BigAutoField,
)


class Columns:
    """A model's concrete columns: the SELECT list, and a row slice back into an instance."""

    def __init__(self, model, table_alias, connection, only=None):
        quote = connection.ops.quote_name
        self.model = model
        self.fields = [field for field in model._meta.concrete_fields if only is None or field.name in only]
        self.attnames = [field.attname for field in self.fields]
        self.sql = ", ".join(f"{quote(table_alias)}.{quote(field.column)}" for field in self.fields)
        self.converters = []
        for index, field in enumerate(self.fields):
            column = field.get_col(table_alias)
            converters = connection.ops.get_db_converters(column) + field.get_db_converters(connection)
            if converters:
                self.converters.append((index, converters, column))

    def load(self, alias, values, connection):
        return self.model.from_db(alias, self.attnames, self.convert(values, connection))

    def convert(self, values, connection):
        values = list(values)
        for index, converters, column in self.converters:
            for converter in converters:
                values[index] = converter(values[index], column, connection)
        return values


def adapter(field, connection):
    """model value -> database value, as ``field.get_db_prep_save`` gives it.

    Chosen once per field: the generic call validates and converts on every
    call, which costs more than the statement. Exact classes only, so that a
    custom field keeps its own adaptation.
    """
    if field.remote_field is not None:
        return adapter(field.target_field, connection)
    if type(field) in _PASSED_AS_IS:
        return _as_is
    if type(field) is models.DateTimeField:
        return connection.ops.adapt_datetimefield_value
    return partial(_prep_save, field, connection=connection)


def _as_is(value):
    return value


def _prep_save(field, value, *, connection):
    return field.get_db_prep_save(value, connection)


class RowWithParent:
    """``model``'s row where the ``by`` fields equal the values given, with its ``parent`` (a foreign key) joined.

    ``RowWithParent(Identity, "user", by=("provider", "subject")).get(provider.pk, subject)``
    answers what ``Identity.objects.select_related("user").filter(provider=…, subject=…)``
    does, for ``by`` fields that pick one row at most (a primary key, a
    unique field or a unique pair): the instance, its parent loaded and
    cached on it, or None. ``lock``: the row (not its parent) is locked
    where the database can, as ``select_for_update(of=("self",))``; call it
    inside ``transaction.atomic`` then.
    """

    _CHILD, _PARENT = "c", "p"

    def __init__(self, model, parent, *, by, lock=False):
        self.model, self.parent, self.by, self.lock = model, parent, tuple(by), lock
        self._compiled = {}

    def get(self, *values, alias="default"):
        connection = connections[alias]
        if self.lock and connection.features.has_select_for_update and not connection.in_atomic_block:
            # As the ORM's select_for_update(): a lock outside a transaction would end at once.
            raise TransactionManagementError("a locked read needs a transaction (transaction.atomic).")
        compiled = self._compiled.get(alias) or self._compile(alias)
        with connection.cursor() as cursor:
            cursor.execute(compiled.sql, [adapt(value) for adapt, value in zip(compiled.adapters, values)])
            row = cursor.fetchone()
        if row is None:
            return None
        split = len(compiled.child.fields)
        child = compiled.child.load(alias, row[:split], connection)
        compiled.link.set_cached_value(child, compiled.parent.load(alias, row[split:], connection))
        return child

    def _compile(self, alias):
        connection = connections[alias]
        quote = connection.ops.quote_name
        c, p = quote(self._CHILD), quote(self._PARENT)
        link = self.model._meta.get_field(self.parent)
        parent_model = link.related_model
        by_fields = [self.model._meta.get_field(name) for name in self.by]
        compiled = _Compiled()
        compiled.link = link
        compiled.child = Columns(self.model, self._CHILD, connection)
        compiled.parent = Columns(parent_model, self._PARENT, connection)
        compiled.adapters = [adapter(field, connection) for field in by_fields]
        lock = ""
        if self.lock and connection.features.has_select_for_update:
            of = (c,) if connection.features.has_select_for_update_of else ()
            lock = " " + connection.ops.for_update_sql(of=of)
        compiled.sql = (
            f"SELECT {compiled.child.sql}, {compiled.parent.sql} FROM {quote(self.model._meta.db_table)} {c} "
            f"INNER JOIN {quote(parent_model._meta.db_table)} {p} "
            f"ON ({c}.{quote(link.column)} = {p}.{quote(link.target_field.column)}) "
            f"WHERE " + " AND ".join(f"{c}.{quote(field.column)} = %s" for field in by_fields) + lock
        )
        self._compiled[alias] = compiled
        return compiled


class DeleteByKey:
    """``model.objects.filter(<by>=value).delete()``'s count, in one DELETE written once per alias.

    The ORM's delete first asks which rows cascade from these and which
    signals listen; for a model no other model points to and no delete
    signal hears, the answer is always none, so the statement alone does the
    same. Both conditions are checked on every call (a model others point to
    is refused; a receiver connected later gets the ORM's delete and its
    signals).
    """

    def __init__(self, model, *, by):
        self.model, self.by = model, by
        self._compiled = {}

    def run(self, value, *, alias="default") -> int:
        if self.model._meta.related_objects:
            raise TypeError(f"{self.model.__name__} has rows pointing to it: delete it with the ORM.")
        if signals.pre_delete.has_listeners(self.model) or signals.post_delete.has_listeners(self.model):
            return self.model._default_manager.using(alias).filter(**{self.by: value}).delete()[0]
        sql, adapt = self._compiled.get(alias) or self._compile(alias)
        with connections[alias].cursor() as cursor:
            cursor.execute(sql, [adapt(value)])
            return cursor.rowcount

    def _compile(self, alias):
        connection = connections[alias]
        quote = connection.ops.quote_name
        field = self.model._meta.get_field(self.by)
        compiled = (
            f"DELETE FROM {quote(self.model._meta.db_table)} WHERE {quote(field.column)} = %s",
            adapter(field, connection),
        )
        self._compiled[alias] = compiled
        return compiled


class _Compiled:
    sql: str
    adapters: list
    child: Columns
    parent: Columns
    link: models.ForeignKey
