"""A changelist for a big table: a date hierarchy from two index probes, a count that stops early."""
import calendar
import datetime
from functools import cached_property

from django.contrib.admin.views.main import ChangeList
from django.core.exceptions import EmptyResultSet
from django.core.paginator import Paginator
from django.db import connection, connections
from django.db.models import BooleanField, ExpressionWrapper, Func, Q, Subquery, Value
from django.utils import formats, timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _

# How many rows past the start of the current page a changelist counts.
COUNT_AHEAD = 10_000
# A page number beyond any table (?p=99999999999999999 would overflow the
# LIMIT): Django then answers it as an invalid page, as for any page past the end.
MAX_PAGE = 10**9


class BoundedCountPaginator(Paginator):
    """A paginator that counts at most ``bound`` + 1 rows.

    Django's counts every row the filters let through (``SELECT COUNT(*)``),
    on every page: at a million sessions that is a walk over a whole index,
    hundreds of milliseconds for a page that shows 100 rows. Counting a
    sliced query (``COUNT(*)`` of ``... LIMIT bound + 1``) costs at most
    ``bound`` rows; ``capped`` tells the page to say "more than".
    """

    def __init__(self, object_list, per_page, orphans=0, allow_empty_first_page=True, *, bound):
        super().__init__(object_list, per_page, orphans, allow_empty_first_page)
        self.bound = bound

    @cached_property
    def count(self):
        # A constant, not the primary key Django's count of a slice selects:
        # an index that answers the filters then answers the count alone,
        # without a row lookup each.
        rows = self.object_list.order_by().annotate(counted=Value(1)).values("counted")[: self.bound + 1]
        try:
            sql, params = rows.query.sql_with_params()
        except EmptyResultSet:  # a filter that matches nothing (pk__in=[])
            return 0
        with connections[rows.db].cursor() as cursor:
            cursor.execute(f"SELECT COUNT(*) FROM ({sql}) AS bounded", params)
            return cursor.fetchone()[0]

    @property
    def capped(self):
        return self.count > self.bound


def likely(**lookups):
    """``Q(**lookups)``, each told to SQLite's planner as true for most rows (``likelihood(..., 0.9)``).

    For a filter that matches many rows, listed newest first: the right plan
    walks the ``created_at`` index backwards and stops after a page. SQLite's
    planner, misled by ``sqlite_stat1`` (``revoked_at`` is unique for a
    revoked session, so the (user, revoked_at) index looks as if it held a few
    rows per value, where NULL holds every live session of the user), would
    rather skip-scan that index and sort half the table: 1.3 s at a million
    sessions. The hint changes only the estimate; PostgreSQL, which keeps a
    histogram and a NULL fraction, gets the plain condition.
    """
    if connection.vendor != "sqlite":
        return Q(**lookups)
    return Q(*(
        # A literal: SQLite wants the probability as a constant, not a parameter.
        ExpressionWrapper(Func(Q(**{lookup: value}), template="likelihood(%(expressions)s, 0.9)"), BooleanField())
        for lookup, value in lookups.items()
    ))


def bounded_paginator(request, queryset, per_page, orphans=0, allow_empty_first_page=True):
    """For ``ModelAdmin.get_paginator``: count up to ``COUNT_AHEAD`` rows past the requested page's first.

    Every page stays reachable: from the last page offered, the next count
    reaches further.
    """
    try:
        page = min(max(int(request.GET.get("p", 1)), 1), MAX_PAGE)
    except ValueError:
        page = 1
    return BoundedCountPaginator(
        queryset, per_page, orphans, allow_empty_first_page, bound=(page - 1) * per_page + COUNT_AHEAD
    )


class BoundedDateHierarchyChangeList(ChangeList):
    """A date hierarchy built from the table's first and last dates, and a bounded count.

    Django's own asks the database for every distinct year, month or day in
    the filtered rows: a full scan, on every page, of a table that may hold
    millions. Here the first and the last value of the indexed column (two
    index probes) give the range, and every period within it is offered; one
    that happens to be empty under the current filters simply lists nothing.
    They are two subqueries, each ``ORDER BY ... LIMIT 1``: SQLite answers a
    lone MIN or MAX from one end of the index, but ``SELECT MIN(x), MAX(x)``
    reads the whole index (150 ms at a million rows).

    With ``BoundedCountPaginator`` (``bounded_paginator``), ``count_capped``
    tells the templates that ``result_count`` is a lower bound.
    """

    def get_results(self, request):
        super().get_results(request)
        self.count_capped = getattr(self.paginator, "capped", False)
        self.count_bound = getattr(self.paginator, "bound", None)

    def bounded_date_hierarchy(self):
        field = self.date_hierarchy
        rows = self.root_queryset.order_by()
        first = rows.order_by(field).values(field)[:1]
        last = rows.order_by(f"-{field}").values(field)[:1]
        bounds = next(iter(rows.annotate(first=Subquery(first), last=Subquery(last)).values("first", "last")[:1]), None)
        if bounds is None or bounds["first"] is None:
            return {"show": False}
        first, last = (timezone.localtime(bounds[key]).date() for key in ("first", "last"))
        try:
            year, month, day = (
                int(self.params[key]) if self.params.get(key) else None
                for key in (f"{field}__year", f"{field}__month", f"{field}__day")
            )
        except ValueError:
            return {"show": False}
        if not (year or month or day) and first.year == last.year:
            year = first.year
            month = first.month if first.month == last.month else None

        def choice(date, date_format, **parts):
            query = self.get_query_string({f"{field}__{part}": value for part, value in parts.items()}, [f"{field}__"])
            return {"link": query, "title": capfirst(formats.date_format(date, date_format))}

        if year and month and day:
            date = datetime.date(year, month, day)
            back = choice(date, "YEAR_MONTH_FORMAT", year=year, month=month)
            return {"show": True, "back": back, "choices": [{"title": choice(date, "MONTH_DAY_FORMAT")["title"]}]}
        if year and month:
            days = (datetime.date(year, month, d) for d in range(1, calendar.monthrange(year, month)[1] + 1))
            return {
                "show": True,
                "back": {"link": self.get_query_string({f"{field}__year": year}, [f"{field}__"]), "title": str(year)},
                "choices": [
                    choice(d, "MONTH_DAY_FORMAT", year=year, month=month, day=d.day) for d in days if first <= d <= last
                ],
            }
        if year:
            months = (datetime.date(year, m, 1) for m in range(1, 13))
            return {
                "show": True,
                "back": {"link": self.get_query_string({}, [f"{field}__"]), "title": _("All dates")},
                "choices": [
                    choice(m, "YEAR_MONTH_FORMAT", year=year, month=m.month)
                    for m in months
                    if first.replace(day=1) <= m <= last
                ],
            }
        return {
            "show": True,
            "back": None,
            "choices": [
                {"link": self.get_query_string({f"{field}__year": y}, [f"{field}__"]), "title": str(y)}
                for y in range(first.year, last.year + 1)
            ],
        }
