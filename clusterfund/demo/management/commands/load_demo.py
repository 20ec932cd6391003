from django.core.management.base import BaseCommand
from django.test.utils import override_settings

from clusterfund.accounts.roles import Role
from clusterfund.demo.loader import DEMO_PASSWORD, demo_accounts, load_demo


class Command(BaseCommand):
    help = "Load the two demo schemes (Kirklees Cluster 14, Stoke-on-Trent Central). Safe to run twice."

    def handle(self, *args, **options):
        # The demo's past meetings email their decisions to the demo schools; nobody reads those.
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
            councils = load_demo()
        self.stdout.write("Demo councils: " + ", ".join(c.name for c in councils))
        self.stdout.write(f"\nDemo accounts (password for all: {DEMO_PASSWORD}):")
        for council, account in demo_accounts():
            roles = ", ".join(dict.fromkeys(Role(role).label for role, _ in account.roles))
            self.stdout.write(f"  {account.email:<40} {roles:<40} {council}")
