import time

from django.core.management.base import BaseCommand

from procedures.synthetic import catalogue_generate


class Command(BaseCommand):
    help = "Create a synthetic catalogue of any size (codes <prefix>.000001…) for scale tests and benchmarks."

    def add_arguments(self, parser):
        parser.add_argument("--count", type=int, default=10000)
        parser.add_argument("--prefix", default="9", help="code prefix, 9 by default (unused by the national database)")
        parser.add_argument("--seed", type=int, default=20260701)
        parser.add_argument("--batch-size", type=int, default=2000)
        parser.add_argument("--clear", action="store_true", help="delete the procedures with this prefix first")

    def handle(self, *args, **options):
        started = time.monotonic()
        report = catalogue_generate(
            count=options["count"],
            prefix=options["prefix"],
            seed=options["seed"],
            batch_size=options["batch_size"],
            clear=options["clear"],
        )
        self.stdout.write(
            f"{report.created} synthetic procedures created, {report.deleted} rows deleted, "
            f"in {time.monotonic() - started:.1f} s"
        )
