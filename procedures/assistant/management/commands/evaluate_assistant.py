from django.core.management.base import BaseCommand, CommandError

from procedures.assistant.evaluation import evaluate


def _percent(part: int, whole: int) -> str:
    return f"{100 * part / whole:.1f}% ({part}/{whole})" if whole else "n/a (0)"


class Command(BaseCommand):
    help = "Ask the assistant every question of a JSON-lines file and print its accuracy."

    def add_arguments(self, parser):
        parser.add_argument(
            "file", help='lines {"question", "procedure": code|null, "intent": name|null, "history": [...]}'
        )

    def handle(self, *args, file, **options):
        try:
            with open(file, encoding="utf-8") as handle:
                lines = handle.readlines()
        except OSError as error:
            raise CommandError(f"cannot read {file}: {error}") from error
        try:
            scores = evaluate(lines)
        except (ValueError, KeyError) as error:
            raise CommandError(f"bad line in {file}: {error}") from error
        out = self.stdout
        out.write(f"in-scope questions:      {scores.in_scope}")
        out.write(f"procedure right:         {_percent(scores.procedure_right, scores.in_scope)}")
        out.write(f"intent right:            {_percent(scores.intent_right, scores.in_scope)}")
        out.write(f"procedure and intent:    {_percent(scores.both_right, scores.in_scope)}")
        out.write(f"out-of-scope refused:    {_percent(scores.refused, scores.out_of_scope)}")
        if scores.failures:
            out.write(f"failures ({len(scores.failures)}):")
            for failure in scores.failures:
                out.write(
                    f"  line {failure['line']}: {failure['question']!r} expected {failure['expected']}, got {failure['got']}"
                )
