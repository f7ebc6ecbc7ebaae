"""Mail that is never lost: an outbox table, written in the caller's transaction, delivered in the background.

``enqueue`` is the only way the app sends mail (see ``outbox``); ``sender``
delivers; ``models`` holds the table.
"""
