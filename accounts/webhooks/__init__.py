"""Webhooks: signed HTTP notices of account events to endpoints an administrator registered.

``events.emit`` queues a delivery per subscribed endpoint in the caller's
transaction (``models.WebhookDelivery``, an outbox like the mail's);
``outbox`` signs (Standard Webhooks) and POSTs them; ``sender`` is the
background thread of each web process that drives ``outbox``. Endpoints are
written by ``endpoints`` (the admin and ``manage.py webhook``), their secrets
sealed by ``crypto``.
"""
