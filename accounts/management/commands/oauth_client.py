"""Register OpenID clients from the shell: ``set`` (create or replace), ``list``, ``remove``; ``deliver`` logouts.

A confidential client's secret is read from an environment variable
(``--secret-env``), never from the command line (which other users and the
shell history see); it is kept as a digest and never printed.
``--generate-secret`` makes one instead and prints it once.
"""
import os
import secrets

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from accounts.oidc_provider import clients, logout
from accounts.oidc_provider.models import OAuthClient


class Command(BaseCommand):
    help = "Add, change, list or remove the applications that sign in through Gatehouse (OpenID Connect)."

    def add_arguments(self, parser):
        commands = parser.add_subparsers(dest="action", required=True)
        set_parser = commands.add_parser("set", help="Create or replace a client.")
        set_parser.add_argument("client_id")
        set_parser.add_argument("--redirect-uri", action="append", required=True, dest="redirect_uris",
                                metavar="URI", help="A redirect URI, matched exactly (repeat for more).")
        kind = set_parser.add_mutually_exclusive_group(required=True)
        kind.add_argument("--public", action="store_true", help="No secret: an SPA or a native app (PKCE).")
        kind.add_argument("--secret-env", metavar="VAR", help="Environment variable holding the client secret.")
        kind.add_argument("--generate-secret", action="store_true", help="Make a secret and print it once.")
        set_parser.add_argument("--name", default="", help="The name users see.")
        set_parser.add_argument("--post-logout-redirect-uri", action="append", default=[], dest="post_logout",
                                metavar="URI")
        set_parser.add_argument("--backchannel-logout-uri", default="", metavar="URI")
        set_parser.add_argument("--trusted", action="store_true", help="First-party: no consent page.")
        set_parser.add_argument("--no-offline-access", action="store_true",
                                help="Never a refresh token (offline_access is not granted).")
        commands.add_parser("list", help="List the clients (never their secrets).")
        remove_parser = commands.add_parser("remove", help="Remove a client, its grants and consents.")
        remove_parser.add_argument("client_id")
        commands.add_parser("deliver", help="Deliver due back-channel logout tokens once.")

    def handle(self, *args, action, **options):
        getattr(self, f"_{action}")(**options)

    def _set(self, *, client_id, redirect_uris, public, secret_env, generate_secret, name, post_logout,
             backchannel_logout_uri, trusted, no_offline_access, **options):
        secret = None
        if secret_env:
            secret = os.environ.get(secret_env)
            if not secret:
                raise CommandError(f"The environment variable {secret_env} is empty or unset.")
        elif generate_secret:
            secret = secrets.token_urlsafe(32)
        config = clients.ClientSettings(
            redirect_uris=redirect_uris, name=name, secret=secret, post_logout_redirect_uris=tuple(post_logout),
            backchannel_logout_uri=backchannel_logout_uri, trusted=trusted,
            allow_offline_access=not no_offline_access,
        )
        try:
            client, created = clients.set_client(client_id, config)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        kind = "public" if client.is_public else "confidential"
        self.stdout.write(f"{'Created' if created else 'Updated'} {kind} client {client.client_id} ({client.name}).")
        if generate_secret:
            self.stdout.write(f"Its secret (shown once, kept only as a digest): {secret}")

    def _list(self, **options):
        for client in OAuthClient.objects.order_by("client_id"):
            flags = ["public" if client.is_public else "confidential"]
            flags += ["trusted"] if client.trusted else []
            flags += [] if client.allow_offline_access else ["no-offline-access"]
            flags += [] if client.active else ["inactive"]
            self.stdout.write(f"{client.client_id}\t{client.name}\t{','.join(flags)}\t"
                              f"{' '.join(client.redirect_uri_list)}")

    def _remove(self, *, client_id, **options):
        deleted, _ = OAuthClient.objects.filter(client_id=client_id).delete()
        if not deleted:
            raise CommandError(f"No client has the id {client_id}.")
        self.stdout.write(f"Removed {client_id}.")

    def _deliver(self, **options):
        count = 0
        while claimed := logout.deliver_due():
            count += claimed
        self.stdout.write(f"Tried {count} back-channel logout(s).")
