"""Dates and times as every page of the admin shows them: ``2026-12-07 14:05 UTC``.

Django's English formats ("Dec. 7, 2026, 2:05 p.m." in one column,
"12/07/2026 2:05 p.m." in the next) read two ways on one page and depend on
the locale; Gatehouse's own columns and the mail say ``Y-m-d H:i`` UTC.
``FORMAT_MODULE_PATH`` points here, so Django's own rendering of a date (a
list column, a read-only field) and ``accounts.admin.common.admin_time``
agree. Templates that name a format (the mail) are unaffected.
"""
DATETIME_FORMAT = "Y-m-d H:i T"
SHORT_DATETIME_FORMAT = "Y-m-d H:i T"
DATE_FORMAT = "Y-m-d"
SHORT_DATE_FORMAT = "Y-m-d"
TIME_FORMAT = "H:i"
