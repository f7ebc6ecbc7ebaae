"""Create the first administrator, once, and print its password once."""
import secrets

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.utils import timezone


class Command(BaseCommand):
    help = "Create a superuser with a random password when the database has no user yet."

    def add_arguments(self, parser):
        parser.add_argument("--username", default="admin")
        parser.add_argument("--email", default="admin@localhost")

    def handle(self, *args, username, email, **options):
        User = get_user_model()
        if User.objects.exists():
            self.stdout.write(
                "Users already exist; no account created. To set a lost password: "
                "python manage.py changepassword <username>"
            )
            return
        password = secrets.token_urlsafe(18)
        # The operator gave the address: verified, so mandatory verification does not lock the administrator out.
        User.objects.create_superuser(username=username, email=email, password=password, email_verified_at=timezone.now())
        self.stdout.write(self.style.SUCCESS("Created the first administrator. This password is shown only once:"))
        self.stdout.write(f"    username: {username}\n    password: {password}")
