"""Demo accounts for a fresh installation: idempotent, passwords printed only in DEBUG."""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction

from portal.demo import demo_logins, ensure_demo_accounts


class Command(BaseCommand):
    help = "Create the demo citizen, officials and administrator (safe to run again)."

    def handle(self, *args, **options):
        with transaction.atomic():
            created = ensure_demo_accounts()
        self.stdout.write(self.style.SUCCESS(f"Demo accounts ready ({created} created)."))
        if settings.DEBUG:
            self.stdout.write("Demo logins (DEBUG only):")
            for account in demo_logins():
                self.stdout.write(f"  {account['role']:<28} {account['email']:<32} {account['password']}")
        else:
            self.stdout.write("Passwords are not printed when DEBUG is off.")
