"""Answers composed from a procedure's record only, written to be read aloud.

Short sentences; numbers, money and durations in words (in Vietnamese); long catalogue texts
cut at a word boundary with the rest left to the portal's page. When the record lacks a fact
the answer says so rather than guess.
"""

from __future__ import annotations

import re
from decimal import Decimal

from django.conf import settings
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from portal.money import format_vnd
from procedures.assistant.constants import Intent
from procedures.assistant.speech import money_words, spell_numbers, vietnamese_decimal_words, vietnamese_number_words
from procedures.constants import Channel, FeeKind, OnlineLevel, TimeUnit
from procedures.models import Procedure

MAX_PAPERS = 6
MAX_STEPS = 6
MAX_FEES = 3
_LEADING_NUMBER = re.compile(r"^\s*(?:[-+*•]|\(?\d{1,2}[.)]|[a-zđ]\)|\d{1,2}\s+(?=[A-ZĐÀ-Ỹ]))\s*")
_STEP_PREFIX = re.compile(r"^\s*bước\s*\d+", re.IGNORECASE)


def speaking_vietnamese() -> bool:
    return (get_language() or settings.LANGUAGE_CODE).startswith("vi")


def say(text: str) -> str:
    """Catalogue text made speakable: one line, numbers in words (Vietnamese only)."""
    text = " ".join((text or "").split())
    return spell_numbers(text) if speaking_vietnamese() else text


def number(value: Decimal | int) -> str:
    if speaking_vietnamese():
        return vietnamese_decimal_words(value)
    value = Decimal(str(value)).normalize()
    return f"{value:f}"


def money(amount: int) -> str:
    return money_words(amount) if speaking_vietnamese() else format_vnd(amount)


def clip(text: str, limit: int) -> str:
    text = " ".join((text or "").split())
    if len(text) <= limit:
        return text.rstrip(" .;:")
    cut = text[:limit].rsplit(" ", 1)[0]
    return cut.rstrip(" ,.;:") + " …"


def sentence(text: str) -> str:
    text = text.strip()
    return text if text.endswith((".", "?", "!", "…")) else text + "."


def spoken_name(name: str) -> str:
    name = " ".join(name.split())
    name = re.sub(r"^thủ tục\s+", "", name, flags=re.IGNORECASE)
    if len(name) > 90:
        name = re.split(r"\s*[(;]", name, maxsplit=1)[0]
    name = clip(name, 120)
    if len(name) > 1 and name[0].isupper() and name[1].islower():
        name = name[0].lower() + name[1:]
    return name


def phone_words(phone: str) -> str:
    """Read a phone number digit by digit, in groups as written ("1900 1234")."""
    if not speaking_vietnamese():
        return phone
    groups = re.findall(r"\d+", phone.replace("+84", "0"))
    return ", ".join(" ".join(vietnamese_number_words(int(d)) for d in group) for group in groups)


# --- Facts ---------------------------------------------------------------------------------------


def _channel_phrase(channel: str) -> str:
    return {
        Channel.COUNTER: _("in person at the counter"),
        Channel.POST: _("by post"),
        Channel.ONLINE: _("online"),
    }.get(channel, channel)


def _join(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return _("%(items)s or %(last)s") % {"items": ", ".join(items[:-1]), "last": items[-1]}


def _channels(procedure: Procedure) -> list[str]:
    seen: list[str] = []
    for row in procedure.channels.all():
        if row.channel not in seen:
            seen.append(row.channel)
    return seen


def where(procedure: Procedure) -> list[str]:
    sentences = []
    agencies = list(procedure.agencies.all())
    if agencies:
        names = _join([say(a.name) for a in agencies[:3]])
        sentences.append(_("You submit the dossier at %(agencies)s.") % {"agencies": names})
        addresses = [a for a in agencies[:1] if a.address]
        for agency in addresses:
            sentences.append(_("Address: %(address)s.") % {"address": say(clip(agency.address, 160))})
    elif procedure.implementing_agency_text or procedure.competent_authority:
        text = procedure.implementing_agency_text or procedure.competent_authority
        sentences.append(_("The agency in charge is %(agency)s.") % {"agency": say(clip(text, 200))})
    else:
        sentences.append(_("The catalogue does not say where to submit this dossier."))
    channels = _channels(procedure)
    if channels:
        sentences.append(
            _("You can submit it %(channels)s.") % {"channels": _join([_channel_phrase(c) for c in channels])}
        )
    return sentences


def _unit(unit: str) -> str:
    return {
        TimeUnit.WORKING_DAYS: _("working days"),
        TimeUnit.DAYS: _("days"),
        TimeUnit.HOURS: _("hours"),
        TimeUnit.MONTHS: _("months"),
    }.get(unit, _("working days"))


def time(procedure: Procedure) -> list[str]:
    if procedure.processing_days is not None:
        duration = f"{number(procedure.processing_days)} {_unit(TimeUnit.WORKING_DAYS)}"
        return [_("The processing time is %(duration)s.") % {"duration": duration}]
    if procedure.processing_time_text:
        return [_("Processing time: %(text)s.") % {"text": say(clip(procedure.processing_time_text, 200))}]
    for row in procedure.channels.all():
        if row.time_value is not None:
            duration = f"{number(row.time_value)} {_unit(row.time_unit)}"
            return [_("The processing time is %(duration)s.") % {"duration": duration}]
        if row.time_text:
            return [_("Processing time: %(text)s.") % {"text": say(clip(row.time_text, 200))}]
    return [_("The catalogue does not state the processing time of this procedure.")]


def fee(procedure: Procedure) -> list[str]:
    sentences = []
    for line in list(procedure.fees.all())[:MAX_FEES]:
        kind = _("The fee") if line.kind == FeeKind.FEE else _("The charge")
        if line.amount is not None:
            text = _("%(kind)s is %(amount)s.") % {"kind": kind, "amount": money(line.amount)}
            if line.condition:
                text = _("%(kind)s is %(amount)s, for this case: %(condition)s.") % {
                    "kind": kind,
                    "amount": money(line.amount),
                    "condition": say(clip(line.condition, 160)),
                }
            sentences.append(text)
        elif line.text:
            sentences.append(_("%(kind)s: %(text)s.") % {"kind": kind, "text": say(clip(line.text, 200))})
    if sentences:
        return sentences
    fee_texts = [row.fee_text.strip().lower() for row in procedure.channels.all() if row.fee_text.strip()]
    if fee_texts and all(text.startswith("miễn phí") for text in fee_texts):
        return [_("This procedure is free of charge.")]
    return [_("The catalogue does not state a fee for this procedure.")]


def _copies(document) -> str:
    parts = []
    if document.originals:
        parts.append(_("%(count)s original") % {"count": number(document.originals)})
    if document.copies:
        parts.append(_("%(count)s copy") % {"count": number(document.copies)})
    return _join(parts) if len(parts) < 2 else _("%(first)s and %(second)s") % {"first": parts[0], "second": parts[1]}


def papers(procedure: Procedure) -> list[str]:
    documents = list(procedure.documents.all())
    if not documents:
        return [_("The catalogue does not list the papers for this procedure.")]
    groups = list(dict.fromkeys(d.group for d in documents))
    sentences = []
    if len(groups) > 1 and groups[0]:
        sentences.append(_("For the case %(group)s:") % {"group": say(clip(groups[0], 120))})
    first = [d for d in documents if d.group == groups[0]]
    sentences.append(_("The dossier has %(count)s papers.") % {"count": number(len(first))})
    for position, document in enumerate(first[:MAX_PAPERS], start=1):
        name = _LEADING_NUMBER.sub("", document.name)
        item = f"{number(position).capitalize()}, {say(clip(name, 160))}"
        copies = _copies(document)
        sentences.append(sentence(f"{item}, {copies}" if copies else item))
    if len(first) > MAX_PAPERS:
        sentences.append(
            _("There are %(count)s more papers; the full list is on the portal.")
            % {"count": number(len(first) - MAX_PAPERS)}
        )
    if len(groups) > 1:
        sentences.append(_("Other cases need other papers; the full list is on the portal."))
    return sentences


def steps(procedure: Procedure) -> list[str]:
    rows = list(procedure.steps.all())
    if not rows:
        return [_("The catalogue does not describe the steps of this procedure.")]
    sentences = [_("The steps are as follows.")]
    for position, step in enumerate(rows[:MAX_STEPS], start=1):
        text = clip(step.text, 240)
        if not _STEP_PREFIX.match(text):
            text = _("Step %(number)s: %(text)s") % {"number": position, "text": _LEADING_NUMBER.sub("", text)}
        sentences.append(sentence(say(text)))
    if len(rows) > MAX_STEPS:
        sentences.append(
            _("The rest of the steps, %(count)s more, are on the portal.") % {"count": number(len(rows) - MAX_STEPS)}
        )
    return sentences


def result(procedure: Procedure) -> list[str]:
    sentences = []
    names = [say(clip(r.name, 140)) for r in procedure.results.all()[:3]]
    if names:
        sentences.append(_("You receive: %(results)s.") % {"results": "; ".join(names)})
    if procedure.result_location:
        sentences.append(
            _("The result is handed over at: %(place)s.") % {"place": say(clip(procedure.result_location, 200))}
        )
    return sentences or [_("The catalogue does not state the result of this procedure.")]


def online(procedure: Procedure) -> list[str]:
    channels = _channels(procedure)
    if procedure.online_level == OnlineLevel.FULL:
        sentences = [
            _("You can do this procedure fully online, including paying the fee, on the public service portal.")
        ]
    elif procedure.online_level == OnlineLevel.PARTIAL or Channel.ONLINE in channels:
        sentences = [_("You can submit this dossier online on the public service portal.")]
    else:
        sentences = [_("This procedure cannot be submitted online yet.")]
        others = [c for c in channels if c != Channel.ONLINE]
        if others:
            sentences.append(
                _("You can submit it %(channels)s.") % {"channels": _join([_channel_phrase(c) for c in others])}
            )
        return sentences
    if Channel.POST in channels:
        sentences.append(_("You can also send the dossier by post."))
    return sentences


FACTS = {
    Intent.WHERE: where,
    Intent.TIME: time,
    Intent.FEE: fee,
    Intent.PAPERS: papers,
    Intent.STEPS: steps,
    Intent.RESULT: result,
    Intent.ONLINE: online,
}


def facts(procedure: Procedure, intent: str) -> list[str]:
    if intent == Intent.OVERVIEW:
        return [*where(procedure), *time(procedure), *fee(procedure)]
    return FACTS[intent](procedure)


def offer(topic: str) -> str:
    return {
        Intent.STEPS: _("Would you like to hear the steps to follow?"),
        Intent.PAPERS: _("Would you like to hear which papers the dossier needs?"),
        Intent.RESULT: _("Would you like to hear what you receive and where?"),
        Intent.ONLINE: _("Would you like to know whether you can submit it online?"),
        Intent.FEE: _("Would you like to hear the fee?"),
        Intent.TIME: _("Would you like to hear the processing time?"),
        Intent.WHERE: _("Would you like to hear where to submit the dossier?"),
    }[topic]


def suggestion(topic: str) -> str:
    return {
        Intent.WHERE: _("Where do I submit it?"),
        Intent.TIME: _("How long does it take?"),
        Intent.FEE: _("How much is the fee?"),
        Intent.PAPERS: _("Which papers do I need?"),
        Intent.STEPS: _("What are the steps?"),
        Intent.RESULT: _("What do I receive?"),
        Intent.ONLINE: _("Can I submit it online?"),
    }[topic]


def office_contact(procedure: Procedure | None = None) -> str:
    """The office to call: the procedure's agency when its record has a phone, else the hotline."""
    agency = None
    if procedure is not None:
        agency = next((a for a in procedure.agencies.all() if a.phone), None)
    if agency is not None:
        hours = agency.opening_hours
        text = _("Please call %(name)s on %(phone)s.") % {"name": say(agency.name), "phone": phone_words(agency.phone)}
        if hours:
            text += " " + _("Opening hours: %(hours)s.") % {"hours": say(hours)}
        return text
    phone = getattr(settings, "ASSISTANT_OFFICE_PHONE", "1900 1234")
    return _(
        "Please call the hotline on %(phone)s, from half past seven to five in the afternoon, Monday to Friday."
    ) % {"phone": phone_words(phone)}
