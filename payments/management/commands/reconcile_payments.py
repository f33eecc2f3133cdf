"""Compare the portal's payments of a day with the gateway's list; exit 1 on any mismatch."""

from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from payments.services import payments_reconcile


class Command(BaseCommand):
    help = "Reconcile the payments of one day (Vietnam time) with the gateway's transaction list."

    def add_arguments(self, parser):
        parser.add_argument("--date", help="YYYY-MM-DD (default: yesterday)")

    def handle(self, *args, **options):
        try:
            day = (
                dt.date.fromisoformat(options["date"])
                if options["date"]
                else timezone.localdate() - dt.timedelta(days=1)
            )
        except ValueError as exc:
            raise CommandError("--date must be YYYY-MM-DD") from exc
        report = payments_reconcile(day=day)
        self.stdout.write(
            f"Reconciliation {day:%Y-%m-%d}: portal {report.portal_count}, gateway {report.gateway_count}, "
            f"mismatches {len(report.mismatches)}"
        )
        for m in report.mismatches:
            self.stdout.write(f"  {m.kind:<20} {m.reference:<22} portal={m.portal} gateway={m.gateway}")
        if not report.ok:
            raise SystemExit(1)
