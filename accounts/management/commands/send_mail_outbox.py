"""Deliver the mail outbox from a separate process (larger deployments set MAIL_SENDER_THREAD=0)."""
from django.core.management.base import BaseCommand

from accounts.mail import outbox, sender


class Command(BaseCommand):
    help = "Deliver due mail from the outbox once, or keep delivering with --loop."

    def add_arguments(self, parser):
        parser.add_argument("--loop", action="store_true", help="Keep running, delivering mail as it becomes due.")
        parser.add_argument("--interval", type=float, default=5.0, help="Seconds between looks at the outbox (--loop).")

    def handle(self, *args, loop=False, interval=5.0, **options):
        if loop:
            sender.run_forever(poll=interval)
            return
        sent = 0
        while True:
            batch = outbox.deliver_due()
            if not batch:
                break
            sent += batch
        self.stdout.write(f"Sent {sent} message(s).")
