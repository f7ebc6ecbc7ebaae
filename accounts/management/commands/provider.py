"""Manage sign-in providers from the shell: ``set`` (idempotent), ``list``, ``remove``.

``set`` states the whole configuration of a provider (an option left out is
its default), so running the same command twice changes nothing. The client
secret is read from an environment variable (``--client-secret-env``),
never from the command line (which other users and the shell history see),
and is never printed; left out, the stored one stays.
"""
import os

from django.core.management.base import BaseCommand, CommandError

from accounts import conf
from accounts.federation import kinds, providers
from accounts.federation.models import Provider


class Command(BaseCommand):
    help = "Add, change, list or remove the identity providers people may sign in with."

    def add_arguments(self, parser):
        commands = parser.add_subparsers(dest="action", required=True)
        set_parser = commands.add_parser("set", help="Create or change a provider (the callback URL names its slug).")
        set_parser.add_argument("slug")
        set_parser.add_argument("--kind", required=True, choices=list(kinds.KINDS))
        set_parser.add_argument("--client-id", required=True)
        set_parser.add_argument("--client-secret-env", metavar="VAR",
                                help="Environment variable holding the client secret (needed for a new provider).")
        set_parser.add_argument("--issuer", default="",
                                help="The issuer URL (oidc: required; microsoft: names the tenant; gitlab: a "
                                     "self-managed instance).")
        set_parser.add_argument("--name", default="", help='The name on the button ("Continue with <name>").')
        set_parser.add_argument("--scopes", default="", help="Space-separated; default: the kind's own.")
        set_parser.add_argument("--trusted-email", action="store_true",
                                help="A verified address from it may enter an existing account whose address is "
                                     "verified too.")
        set_parser.add_argument("--no-signup", action="store_true", help="No new accounts through it.")
        set_parser.add_argument("--domain", action="append", default=[], metavar="DOMAIN",
                                help="An email domain it owns (repeat for more).")
        set_parser.add_argument("--require-for-domains", action="store_true",
                                help="Accounts at its domains must sign in through it.")
        set_parser.add_argument("--disable", action="store_true", help="Keep it, but offer it to nobody.")
        commands.add_parser("list", help="List the providers (never their secrets).")
        remove_parser = commands.add_parser("remove", help="Remove a provider and the identities linked through it.")
        remove_parser.add_argument("slug")

    def handle(self, *args, action, **options):
        getattr(self, f"_{action}")(**options)

    def _set(self, *, slug, kind, client_id, client_secret_env=None, issuer="", name="", scopes="",
             trusted_email=False, no_signup=False, domain=(), require_for_domains=False, disable=False, **options):
        secret = None
        if client_secret_env:
            secret = os.environ.get(client_secret_env)
            if not secret:
                raise CommandError(f"The environment variable {client_secret_env} is empty or unset.")
        try:
            provider, created = providers.set_provider(
                slug=slug, kind=kind, client_id=client_id, client_secret=secret, issuer=issuer, name=name,
                scopes=scopes, trusted_email=trusted_email, allow_signup=not no_signup, domains=domain,
                require_for_domains=require_for_domains, enabled=not disable,
            )
        except ValueError as error:
            raise CommandError(str(error)) from None
        if provider.client_secret_opens is False:
            self.stderr.write(SECRET_DOES_NOT_OPEN.format(slug=provider.slug))
        self.stdout.write(
            f"{'Created' if created else 'Updated'} {provider.slug} ({provider.name}, {provider.kind})"
            f"{'' if provider.enabled else ', disabled'}. Redirect URI to register at the provider: "
            f"{(conf.site_url() or '<SITE_URL>').rstrip('/')}/api/auth/federation/{provider.slug}/callback/"
        )

    def _list(self, **options):
        for provider in Provider.objects.order_by("slug"):
            flags = [
                "enabled" if provider.enabled else "disabled",
                *(["trusted-email"] if provider.trusted_email else []),
                *([] if provider.allow_signup else ["no-signup"]),
                *(["require-for-domains"] if provider.require_for_domains else []),
            ]
            self.stdout.write("\t".join([
                provider.slug, provider.kind, provider.name, provider.issuer or "-", provider.client_id,
                ",".join(flags), ",".join(provider.domains) or "-", _secret_state(provider),
            ]))

    def _remove(self, *, slug, **options):
        if not providers.remove_provider(slug=slug):
            raise CommandError(f"No provider has the slug {slug}.")
        self.stdout.write(f"Removed {slug}.")


SECRET_DOES_NOT_OPEN = (
    "The stored client secret of {slug} does not open under this DJANGO_SECRET_KEY: it was set with another key. "
    "Run the command with the server's own key (in a `make run` checkout: DJANGO_DEBUG=1), and set the secret "
    "again with --client-secret-env."
)


def _secret_state(provider) -> str:
    opens = provider.client_secret_opens
    return "secret: none" if opens is None else "secret: set" if opens else "secret: does not open"
