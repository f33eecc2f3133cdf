"""Scoring the assistant on a question set (JSON lines), for ``manage.py evaluate_assistant``."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from django.utils import translation

from procedures.assistant.constants import Intent
from procedures.assistant.engine import Assistant, State


@dataclass
class Scores:
    in_scope: int = 0
    procedure_right: int = 0
    intent_right: int = 0
    both_right: int = 0
    out_of_scope: int = 0
    refused: int = 0
    failures: list[dict] = field(default_factory=list)


def evaluate(lines: list[str]) -> Scores:
    assistant = Assistant()
    scores = Scores()
    with translation.override("vi"):
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            case = json.loads(line)
            state = State()
            for earlier in case.get("history") or []:
                _reply, state = assistant.respond(earlier, state)
            reply, _state = assistant.respond(case["question"], state)
            got_code = reply.procedure.code if reply.procedure else None
            expected_code, expected_intent = case.get("procedure"), case.get("intent")
            if expected_code is None:
                scores.out_of_scope += 1
                if got_code is None:
                    scores.refused += 1
                else:
                    scores.failures.append(
                        {"line": number, "question": case["question"], "expected": "refusal", "got": got_code}
                    )
                continue
            scores.in_scope += 1
            procedure_ok = got_code == expected_code
            intent_ok = (
                expected_intent is None
                or str(reply.intent) == expected_intent
                or (reply.intent in (Intent.YES, Intent.CHOICE) and expected_intent in (Intent.YES, Intent.CHOICE))
            )
            scores.procedure_right += procedure_ok
            scores.intent_right += intent_ok
            scores.both_right += procedure_ok and intent_ok
            if not (procedure_ok and intent_ok):
                scores.failures.append(
                    {
                        "line": number,
                        "question": case["question"],
                        "expected": f"{expected_code} / {expected_intent}",
                        "got": f"{got_code} / {reply.intent}" + (" (asked back)" if reply.asking_back else ""),
                    }
                )
    return scores
