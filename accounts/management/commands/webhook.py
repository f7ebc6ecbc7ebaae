"""Manage webhook endpoints from the shell: ``set`` (idempotent), ``list``, ``remove``; ``deliver`` drains the queue.

The secret is read from an environment variable (``--secret-env``), never
from the command line (which other users and the shell history see), and is
never printed.
"""
import os

from django.core.management.base import BaseCommand, CommandError

from accounts.webhooks import endpoints, kinds, outbox, sender
from accounts.webhooks.models import WebhookEndpoint


class Command(BaseCommand):
    help = "Add, change, list or remove webhook endpoints; deliver due webhooks."

    def add_arguments(self, parser):
        commands = parser.add_subparsers(dest="action", required=True)
        set_parser = commands.add_parser("set", help="Create or change the endpoint of a URL.")
        set_parser.add_argument("url")
        set_parser.add_argument("--secret-env", metavar="VAR",
                                help="Environment variable holding the whsec_ secret (needed for a new endpoint).")
        set_parser.add_argument("--events", required=True,
                                help=f"Comma-separated event types: {','.join(kinds.EVENT_TYPES)}.")
        set_parser.add_argument("--disable", action="store_true", help="Keep the endpoint but send it nothing.")
        commands.add_parser("list", help="List the endpoints (never their secrets).")
        remove_parser = commands.add_parser("remove", help="Remove the endpoint of a URL and its deliveries.")
        remove_parser.add_argument("url")
        deliver_parser = commands.add_parser("deliver", help="Deliver due webhooks once, or keep going with --loop.")
        deliver_parser.add_argument("--loop", action="store_true")

    def handle(self, *args, action, **options):
        getattr(self, f"_{action}")(**options)

    def _set(self, *, url, secret_env=None, events, disable=False, **options):
        secret = None
        if secret_env:
            secret = os.environ.get(secret_env)
            if not secret:
                raise CommandError(f"The environment variable {secret_env} is empty or unset.")
        try:
            endpoint, created = endpoints.set_endpoint(url=url, events=events, secret=secret, active=not disable)
        except ValueError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(f"{'Created' if created else 'Updated'} {endpoint.url}: {', '.join(endpoint.event_types)}"
                          f"{'' if endpoint.active else ' (disabled)'}.")

    def _list(self, **options):
        for endpoint in WebhookEndpoint.objects.defer("secret_encrypted").order_by("url"):
            state = "active" if endpoint.active else "disabled"
            self.stdout.write(f"{endpoint.url}\t{state}\t{','.join(endpoint.event_types)}")

    def _remove(self, *, url, **options):
        if not endpoints.remove_endpoint(url=url):
            raise CommandError(f"No endpoint has the URL {url}.")
        self.stdout.write(f"Removed {url}.")

    def _deliver(self, *, loop=False, **options):
        if loop:
            sender.run_forever()
            return
        tried = 0
        while batch := outbox.deliver_due():
            tried += batch
        self.stdout.write(f"Tried {tried} delivery(ies).")
