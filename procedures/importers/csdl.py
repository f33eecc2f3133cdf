"""Parser for one record of the national procedure database (csdl.dichvucong.gov.vn) as crawled.

The crawl flattened four HTML tables into strings with no separator between the cells
(``/work/shared/data/csdl/README.md`` describes every quirk). Cell boundaries are recovered
from the shapes of the content; whatever cannot be placed is kept as text and listed in
``parse_issues`` so that an official can see it: nothing is dropped silently.

Rules that a reader of the figures should know:

- A time cell with a unit becomes (value, unit). A bare number ("Trực tuyến1Miễn phí") has
  no unit: it is read as working days only when the row's description or the steps say
  "<n> ngày làm việc" for the same n; otherwise the value is kept with no unit and an issue.
- ``processing_days`` is the shortest time among channels stated in working days.
- ``online_level``: ``full`` when the record has an online channel row, ``partial`` when the
  only remote channel is the post, ``information`` otherwise. The national record does not
  say whether payment is online; a province overrides the level where it knows better.
- Đồng amounts below 1,000 whose note quotes the same figure times 1,000 are read in
  thousands ("20 VNĐ(20.000 vnđ /tờ khai)" is 20.000 đ); a đồng cell whose note quotes the
  same figure in USD is read as USD; ``1 Việt Nam Đồng`` is a placeholder (no amount).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal

from procedures.constants import Channel, FeeKind, LevelCode, OnlineLevel, TimeUnit
from procedures.importers.records import (
    ChannelData,
    DocumentData,
    FeeData,
    LegalBasisData,
    ProcedureData,
    ResultData,
)

NULL_TEXTS = {"", "không có thông tin", "không", "không.", "không có", "không quy định", "--"}
_INVISIBLE = re.compile("[\u200e\u200f\u200b\u00ad\ufeff\x00]")


def clean(text: str | None) -> str:
    """NFC, invisible characters removed, non-breaking spaces and tabs as spaces, ends trimmed."""
    text = _INVISIBLE.sub("", unicodedata.normalize("NFC", text or ""))
    return text.replace("\u00a0", " ").replace("\t", " ").strip()


def is_null(text: str | None) -> bool:
    return clean(text).casefold() in NULL_TEXTS


def value(text: str | None) -> str:
    """A field's text, or "" for the portal's null values."""
    text = clean(text)
    return "" if text.casefold() in NULL_TEXTS else text


# --- channels, times, fees -------------------------------------------------------------------

CHANNEL_HEADER = "Hình thức nộpThời gianPhí, lệ phíMô tả"
CHANNELS = {"Trực tiếp": Channel.COUNTER, "Trực tuyến": Channel.ONLINE, "Dịch vụ bưu chính": Channel.POST}
UNITS = {
    "ngày làm việc": TimeUnit.WORKING_DAYS,
    "ngày": TimeUnit.DAYS,
    "giờ": TimeUnit.HOURS,
    "tháng": TimeUnit.MONTHS,
}
_CHANNEL_RE = "(?P<channel>Trực tiếp|Trực tuyến|Dịch vụ bưu chính)"
_UNIT_RE = r"(?:Ngày làm việc|Ngày|Giờ|Tháng)"
# An amount in the fee cell is well formed: no leading zero, "," every three digits.
_CELL_AMOUNT = r"(?:0|[1-9]\d{0,2}(?:,\d{3})+|[1-9]\d*)"
_CURRENCY_RE = r"(?:Việt Nam Đồng|VNĐ|USD)"
_FEE_CELL = rf"(?:Miễn phí|Không có thông tin|{_CELL_AMOUNT} {_CURRENCY_RE})"
_FREE_TIME_TEXTS = ("Không phải trả kết quả cho người nộp thuế", "Không quy định", "Không")
_ROW_START = re.compile(
    _CHANNEL_RE
    + r"(?P<time>\d+(?:[.,]\d+)? ?"
    + _UNIT_RE
    + r"|\d+|Không có thông tin|"
    + "|".join(map(re.escape, _FREE_TIME_TEXTS))
    + r")(?P<fee>"
    + _FEE_CELL
    + ")"
)
_UNIT_TIME = re.compile(r"^(\d+(?:[.,]\d+)?) ?(" + _UNIT_RE + r")$")
_BARE_GLUED = re.compile(rf"^(\d+)({_CELL_AMOUNT}) ({_CURRENCY_RE})")
_AMOUNT_CELL = re.compile(rf"^({_CELL_AMOUNT}) ({_CURRENCY_RE})$")
# Amounts in notes: "20.000 đồng", "600,000", "1700000 Đồng", "100 USD".
_NOTE_AMOUNT = re.compile(r"(\d{1,3}(?:[.,]\d{3})+|\d+)\s*(đồng|Đồng|đ\b|vnđ|VNĐ|Việt Nam Đồng|USD)", re.IGNORECASE)
# "Phí: 600,000 (…)", "Lệ phí : 20.000 Đồng (…)", "Phí : Đồng (…" (amount missing).
_NOTE_FEE_LINE = re.compile(
    r"(?P<kind>Lệ phí|Phí)\s*:\s*(?P<amount>\d{1,3}(?:[.,]\d{3})+|\d+)?\s*(?P<unit>Đồng|đồng|VNĐ|USD|đ)?",
)


def _amount_int(text: str) -> int:
    return int(re.sub(r"[.,]", "", text))


def _note_amounts(text: str) -> list[tuple[int, str]]:
    found = []
    for match in _NOTE_AMOUNT.finditer(text):
        currency = "USD" if match.group(2).upper() == "USD" else "VND"
        found.append((_amount_int(match.group(1)), currency))
    return found


def _kind_from(text: str) -> str:
    folded = text.casefold()
    if "lệ phí" in folded:
        return FeeKind.CHARGE
    if re.search(r"(?<!lệ )\bphí\b", folded.replace("miễn phí", "")):
        return FeeKind.FEE
    return ""


def _scan_note(text: str, start: int, stop: int) -> tuple[int, bool]:
    """End of the parenthesised note opening at ``start``; False when it never closes before ``stop``."""
    depth = 0
    for index in range(start, stop):
        if text[index] == "(":
            depth += 1
        elif text[index] == ")":
            depth -= 1
            if depth == 0:
                return index + 1, True
    return stop, False


@dataclass
class _Row:
    start: int
    channel: str
    time: str
    fee: str
    fee_end: int


def _find_rows(body: str) -> list[_Row]:
    """Row starts: a channel name followed by a valid time cell and a valid fee cell."""
    rows: list[_Row] = []
    position = 0
    while True:
        match = _ROW_START.search(body, position)
        if not match:
            return rows
        rows.append(_Row(match.start(), match.group("channel"), match.group("time"), match.group("fee"), match.end()))
        position = match.end()


def _split_bare_time(time: str, fee: str, note: str) -> tuple[str, str]:
    """ "Trực tuyến120,000 VNĐ": the regex gave the digits to the time; share them out again.

    The amount must be well formed; among the splits, one whose amount (or amount × 1,000)
    the note quotes wins, else the shortest time.
    """
    if not time.isdigit() or not re.match(rf"^{_CELL_AMOUNT} {_CURRENCY_RE}$", fee):
        return time, fee
    glued = time + fee
    quoted = {amount for amount, _currency in _note_amounts(note)}
    candidates = []
    for cut in range(1, len(glued)):
        head, tail = glued[:cut], glued[cut:]
        if not head.isdigit():
            break
        match = _AMOUNT_CELL.match(tail)
        if match:
            candidates.append((head, tail, _amount_int(match.group(1))))
    for head, tail, amount in candidates:
        if amount in quoted or amount * 1000 in quoted:
            return head, tail
    return (candidates[0][0], candidates[0][1]) if candidates else (time, fee)


def _parse_time(time_text: str, context: str, issues: list[str], label: str) -> tuple[Decimal | None, str]:
    text = clean(time_text)
    if is_null(text):
        return None, ""
    match = _UNIT_TIME.match(text)
    if match:
        return Decimal(match.group(1).replace(",", ".")), UNITS[match.group(2).casefold()]
    if text.isdigit():
        number = int(text)
        if re.search(rf"(?<!\d)0*{number} ngày làm việc", context, re.IGNORECASE):
            return Decimal(number), TimeUnit.WORKING_DAYS
        issues.append(f"{label}: time {text!r} has no unit")
        return Decimal(number), ""
    issues.append(f"{label}: time {text!r} is not a number")
    return None, ""


def _cell_fee(fee_cell: str, note: str, issues: list[str], label: str) -> FeeData | None:
    if fee_cell == "Không có thông tin":
        return None
    note_text = note.strip()
    if note_text.startswith("(") and note_text.endswith(")"):
        note_text = note_text[1:-1].strip()
    if fee_cell == "Miễn phí":
        quoted = [a for a, currency in _note_amounts(note) if currency == "VND" and a > 0]
        if quoted:
            issues.append(f"{label}: the fee cell says free but the note quotes an amount ({quoted[0]:,} đồng)")
        return FeeData(kind=_kind_from(note), amount=0, condition=note_text, text=fee_cell + note)
    match = _AMOUNT_CELL.match(fee_cell)
    amount = _amount_int(match.group(1))
    currency = "USD" if match.group(2) == "USD" else "VND"
    quoted = _note_amounts(note)
    if currency == "VND":
        if (amount, "USD") in quoted and (amount, "VND") not in quoted:
            issues.append(f"{label}: {fee_cell!r} read as {amount} USD, as its note says")
            currency = "USD"
        elif amount == 1:
            issues.append(f"{label}: {fee_cell!r} is a placeholder, no amount")
            amount = None
        elif amount < 1000 and (amount * 1000, "VND") in quoted:
            issues.append(f"{label}: {fee_cell!r} read in thousands ({amount * 1000:,} đồng), as its note says")
            amount *= 1000
        elif amount < 1000:
            issues.append(f"{label}: {fee_cell!r} is below 1,000 đồng and the note does not explain it")
    return FeeData(kind=_kind_from(note), amount=amount, currency=currency, condition=note_text, text=fee_cell + note)


# Temporary rates: "áp dụng mức phí 1.000.000 đồng/hồ sơ kể từ ngày 01/7/2025 đến hết ngày 31/12/2026".
_TEMPORARY_RATE = re.compile(
    r"áp dụng mức (?P<kind>lệ phí|phí|thu)\s+(?P<amount>\d{1,3}(?:\.\d{3})+|\d+)\s*(?:đồng|đ)(?P<rest>[^()]*)",
    re.IGNORECASE,
)


def _extra_fee_lines(text: str, issues: list[str], label: str) -> list[FeeData]:
    """Older wording inside notes and descriptions: "Phí: 600,000 (…)", "Lệ phí : 20.000 Đồng (…)",
    and temporary rates ("áp dụng mức phí 250.000 đồng/hồ sơ kể từ ngày … đến hết ngày …")."""
    lines = []
    for match in _TEMPORARY_RATE.finditer(text):
        kind = FeeKind.CHARGE if match.group("kind").casefold() == "lệ phí" else FeeKind.FEE
        sentence = " ".join(match.group(0).split())
        lines.append(FeeData(kind=kind, amount=_amount_int(match.group("amount")), condition=sentence, text=sentence))
    for match in _NOTE_FEE_LINE.finditer(text):
        amount_text, unit = match.group("amount"), match.group("unit")
        if not amount_text and not unit:
            continue  # "phí:" inside a sentence, not a fee line
        rest = text[match.end() :]
        condition = ""
        stripped = rest.lstrip(" -")
        if stripped.startswith("("):
            end, _closed = _scan_note(stripped, 0, len(stripped))
            condition = stripped[1 : end - 1 if _closed else end].strip()
        kind = FeeKind.CHARGE if match.group("kind") == "Lệ phí" else FeeKind.FEE
        line_text = text[match.start() : match.end()].strip()
        if amount_text is None:
            issues.append(f"{label}: {line_text!r} states no amount")
            lines.append(FeeData(kind=kind, amount=None, condition=condition, text=line_text))
            continue
        currency = "USD" if unit == "USD" else "VND"
        lines.append(
            FeeData(kind=kind, amount=_amount_int(amount_text), currency=currency, condition=condition, text=line_text)
        )
    return lines


def parse_channels(raw: str, steps_text: str, issues: list[str]) -> list[ChannelData]:
    text = clean(raw)
    if is_null(text):
        return []
    if text.startswith(CHANNEL_HEADER):
        body = text[len(CHANNEL_HEADER) :]
    else:
        issues.append("channels: the table header is missing")
        body = text
    rows = _find_rows(body)
    if not rows:
        if body.strip():
            issues.append(f"channels: no row could be read in {body[:200]!r}")
        return []
    if body[: rows[0].start].strip():
        issues.append(f"channels: text before the first row kept in its description: {body[: rows[0].start]!r}")
    channels = []
    counters: dict[str, int] = {}
    for index, row in enumerate(rows):
        stop = rows[index + 1].start if index + 1 < len(rows) else len(body)
        counters[row.channel] = counters.get(row.channel, 0) + 1
        label = f"channel {row.channel}" + (f" #{counters[row.channel]}" if counters[row.channel] > 1 else "")
        note = ""
        position = row.fee_end
        if body[position : position + 1] == "(":
            note_end, closed = _scan_note(body, position, stop)
            if not closed:
                issues.append(f"{label}: the fee note's parentheses do not close")
            note = body[position:note_end]
            position = note_end
        description = body[position:stop].strip()
        time_text, fee_cell = _split_bare_time(row.time, row.fee, note)
        time_value, time_unit = _parse_time(time_text, description + "\n" + steps_text, issues, label)
        fees = []
        cell_fee = _cell_fee(fee_cell, note, issues, label)
        if cell_fee is not None:
            fees.append(cell_fee)
        for extra in _extra_fee_lines(note + " " + description, issues, label):
            # The note often restates the cell ("50,000 Việt Nam Đồng(Phí : 50.000 Đồng …"): one line, with its kind.
            if cell_fee is not None and (extra.amount, extra.currency) == (cell_fee.amount, cell_fee.currency):
                cell_fee.kind = extra.kind
                continue
            fees.append(extra)
        channels.append(
            ChannelData(
                channel=CHANNELS[row.channel],
                time_value=time_value,
                time_unit=time_unit,
                time_text=time_text,
                fee_text=(fee_cell + note)[:10000],
                description=description,
                fees=fees,
            )
        )
    return channels


# --- steps ------------------------------------------------------------------------------------

_STEP_MARK = re.compile(r"(?:^|(?<=\s))(?:[-+*•]\s*)?Bước\s*(\d+)\s*[:.]\s*", re.IGNORECASE)


def parse_steps(raw: str) -> list[str]:
    text = clean(raw)
    if is_null(text):
        return []
    marks = list(_STEP_MARK.finditer(text))
    if len(marks) >= 2:
        steps = []
        preamble = text[: marks[0].start()].strip(" -\n")
        if preamble:
            steps.append(preamble)
        for index, mark in enumerate(marks):
            end = marks[index + 1].start() if index + 1 < len(marks) else len(text)
            step = " ".join(text[mark.end() : end].split())
            if step:
                steps.append(step)
        return steps
    return [" ".join(line.split()) for line in text.split("\n") if line.strip()]


# --- required papers ------------------------------------------------------------------------

PAPERS_HEADER = "Tên giấy tờMẫu đơn, tờ khaiSố lượng"
_COUNT = re.compile(r"(\d+) bản chính(?:,\s*(\d+) bản sao)?|(\d+) bản sao|(\d+) bản(?=$|[^\w\s,;.:)])")
_FORM_EXT = re.compile(r"\.(?:docx?|xlsx?|pdf|rar|zip)(?:\s*\(\d+\)\.(?:docx?|pdf))?$", re.IGNORECASE)


def _count_digits(run: str) -> tuple[str, int]:
    """Split "…năm 20251" into ("…năm 2025", 1): counts are glued to the paper name."""
    if len(run) == 1:
        return "", int(run)
    if len(run) == 2 and run[0] != "0":
        return "", int(run)
    return run[:-1], int(run[-1])


def _split_form(name: str) -> tuple[str, str]:
    """A blank form's file name glued to the end of the paper name ("…theo mẫuMuTkhaixaK.docx")."""
    if not _FORM_EXT.search(name):
        return name, ""
    ext_start = _FORM_EXT.search(name).start()
    head = name[:ext_start]
    # The file name starts after the last ";" or ":" …
    start = max(head.rfind(";"), head.rfind(":")) + 1
    # … or, in the last word, where a lower-case letter is glued to a capital ("mẫuMuT…").
    word_start = head.rfind(" ") + 1
    if word_start > start:
        for index in range(max(word_start, 1), len(head)):
            if head[index - 1].islower() and head[index].isupper():
                start = index
                break
        else:
            # "Mẫu số 06.docx": the file name may contain spaces; take it from its "Mẫu/Mau".
            found = re.search(r"(M[ẫa]u[^;:]*)$", head[start:])
            if found and found.start() > 0:
                start += found.start()
    form = name[start:].strip()
    rest = name[:start].strip()
    if not rest:
        return name, form
    return rest, form


def parse_documents(raw: str, issues: list[str]) -> list[DocumentData]:
    text = clean(raw)
    if is_null(text):
        return []
    parts = text.split(PAPERS_HEADER)
    if len(parts) == 1:
        issues.append(f"papers: no table header; text kept as one paper: {text[:200]!r}")
        return [DocumentData(name=text)]
    documents = []
    heading = parts[0].strip()
    for part_index, part in enumerate(parts[1:], start=1):
        group = "" if heading in {"", "--"} else heading.strip(" -")
        position = 0
        ends = []
        for match in _COUNT.finditer(part):
            following = part[match.end() : match.end() + 1]
            if following and (following.isspace() or following in ";,.:)"):
                continue  # a count inside a paper's name ("01 bản chính Kế hoạch …")
            ends.append(match)
        for match in ends:
            row = part[position : match.start()]
            digits = next(g for g in match.groups() if g is not None)
            run = re.search(r"\d*$", row).group(0) + digits
            name_tail, _ = _count_digits(run)
            row = row[: len(row) - (len(run) - len(digits))] + name_tail
            _, count = _count_digits(run)
            if match.group(1) is not None:
                originals, copies = count, int(match.group(2) or 0)
            elif match.group(3) is not None:
                originals, copies = 0, count
            else:
                originals, copies = count, 0
            name, form = _split_form(row.strip())
            if name:
                documents.append(
                    DocumentData(name=name, group=group[:500], originals=originals, copies=copies, form_name=form[:300])
                )
            else:
                issues.append(f"papers: a count without a paper name in group {group!r}")
            position = match.end()
        tail = part[position:].strip()
        if part_index < len(parts) - 1:
            heading = tail
        elif tail:
            issues.append(f"papers: text after the last count kept as a paper: {tail[:200]!r}")
            documents.append(DocumentData(name=tail, group=group[:500]))
    return documents


# --- legal basis ----------------------------------------------------------------------------

LEGAL_HEADER = "Tên văn bản pháp lýMã văn bản"
_LOWER = "".join(ch for ch in map(chr, range(0x61, 0x1EFA)) if ch.islower() and ch.isalpha())
_UPPER = "".join(ch for ch in map(chr, range(0x41, 0x1EFA)) if ch.isupper() and ch.isalpha())
# An issuer letter is never followed by a lower-case letter: that capital starts the next title
# ("…/NĐ-CPNghị định …"). The group is atomic so that "NĐ-CP ngày" cannot shrink to "NĐ-C".
_ISSUER = rf"(?>(?:[A-ZĐ](?![{_LOWER}]))+\d*(?:-(?:TTg|(?:[A-ZĐ](?![{_LOWER}]))+\d*))*)"
_LEGAL_NUMBER = re.compile(rf"(?P<n>\d+(?:\.\d+)?)/(?P<y>\d{{4}})/(?P<i>{_ISSUER})(?=$|\s?[{_UPPER}])")


def parse_legal_bases(raw: str, issues: list[str]) -> list[LegalBasisData]:
    text = clean(raw)
    if is_null(text):
        return []
    if text.startswith(LEGAL_HEADER):
        text = text[len(LEGAL_HEADER) :]
    else:
        issues.append("legal basis: the table header is missing")
    bases: list[LegalBasisData] = []
    position = 0
    for match in _LEGAL_NUMBER.finditer(text):
        number_digits = match.group("n")
        title = text[position : match.start()]
        # "Luật 60/2014/QH1360/2014/QH13": the title ends with the number, whose issuer digits
        # touch the number column; split at the repeated number.
        number_tail = f"/{match.group('y')}/{match.group('i')}"
        for cut in range(1, len(number_digits)):
            candidate = number_digits[cut:] + number_tail
            if candidate[0] != "." and (title + number_digits[:cut]).endswith(candidate):
                title += number_digits[:cut]
                number_digits = number_digits[cut:]
                break
        # "Luật Doanh nghiệp 202076/2025/QH15": a year in the title glued to the number.
        year_glue = re.match(r"^((?:19|20)\d{2})(\d+(?:\.\d+)?)$", number_digits)
        if year_glue and not title.rstrip().endswith(tuple("0123456789")):
            title += year_glue.group(1)
            number_digits = year_glue.group(2)
        number = f"{number_digits}/{match.group('y')}/{match.group('i')}"
        title = " ".join(title.split())
        if not title:
            title = number
        bases.append(LegalBasisData(title=title, number=number))
        position = match.end()
    # "Nghị định 100/2015/NĐ-CPNghị định 100/2015/NĐ-CP": the number column holds the title again.
    merged: list[LegalBasisData] = []
    for basis in bases:
        if merged and merged[-1] == basis and basis.title != basis.number:
            merged[-1] = LegalBasisData(title=f"{basis.title} {basis.number}", number=basis.number)
            continue
        merged.append(basis)
    tail = " ".join(text[position:].split())
    if tail:
        issues.append(f"legal basis: text without a document number kept as a title: {tail[:200]!r}")
        merged.append(LegalBasisData(title=tail))
    return merged


# --- results ------------------------------------------------------------------------------

_RESULT_CODE = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9.\-_]*?\d)(?=[A-ZĐÀ-Ỹ][^A-Z\d.\-]|[A-ZĐ]\s|[\-+]\s|\s*$)")


@dataclass
class _ResultSection:
    results: list[ResultData]
    keywords: str
    description: str


def parse_results(raw: str, issues: list[str]) -> _ResultSection:
    text = clean(raw)
    keywords = description = ""
    if "Từ khóa" in text:
        text, _, debris = text.partition("Từ khóa")
        keywords_text, _, rest = debris.partition("Mô tả")
        description_text = rest.split("Chọn cơ quan thực hiện")[0]
        keywords, description = value(keywords_text), value(description_text)
    if is_null(text):
        return _ResultSection([], keywords, description)
    chunks = text.split("Mã: ")
    results = []
    name = chunks[0].strip()
    for chunk in chunks[1:]:
        match = _RESULT_CODE.match(chunk)
        if match:
            code, rest = match.group(1), chunk[match.end() :]
        else:
            code, _, rest = chunk.partition(" ")
            issues.append(f"results: code not recognised in {chunk[:80]!r}")
        results.append(ResultData(name=" ".join(name.split()) or code, code=code[:60]))
        name = rest.strip()
    if name:
        if len(chunks) == 1:
            results.append(ResultData(name=" ".join(name.split())))
        else:
            issues.append(f"results: text after the last code kept as a result: {name[:200]!r}")
            results.append(ResultData(name=" ".join(name.split())))
    return _ResultSection(results, keywords, description)


# --- levels, summary, the record ----------------------------------------------------------

LEVELS = {
    "cấp bộ": LevelCode.MINISTRY,
    "cấp tỉnh": LevelCode.PROVINCE,
    "cấp huyện": LevelCode.DISTRICT,
    "cấp xã": LevelCode.COMMUNE,
    "cơ quan khác": LevelCode.OTHER,
}


def parse_levels(raw: str, issues: list[str]) -> list[str]:
    levels = []
    for part in clean(raw).split(","):
        part = part.strip()
        if not part:
            continue
        level = LEVELS.get(part.casefold())
        if level is None:
            issues.append(f"levels: {part!r} is not a known level")
        elif level not in levels:
            levels.append(level)
    return levels


def summarise_time(channels: list[ChannelData]) -> tuple[Decimal | None, str]:
    working = [c.time_value for c in channels if c.time_unit == TimeUnit.WORKING_DAYS and c.time_value is not None]
    texts = []
    for channel in channels:
        text = channel.time_text.strip()
        if text and not is_null(text) and text not in texts:
            texts.append(text)
    return (min(working) if working else None), "; ".join(texts)[:500]


def online_level_for(channels: list[ChannelData]) -> str:
    kinds = {c.channel for c in channels}
    if Channel.ONLINE in kinds:
        return OnlineLevel.FULL
    if Channel.POST in kinds:
        return OnlineLevel.PARTIAL
    return OnlineLevel.INFORMATION


_STEPS_SPILL = re.compile(r"(?:[);.,]|và |phải |a\) |Bước \d)")


def parse_record(record: dict) -> ProcedureData:
    """One csdl record (all values strings) → ProcedureData. Raises ValueError without a code or name."""
    code = clean(record.get("ma_thu_tuc"))
    name = " ".join(clean(record.get("ten_thu_tuc")).split())
    if not code:
        raise ValueError("the record has no ma_thu_tuc")
    if not name:
        raise ValueError("the record has no ten_thu_tuc")
    issues: list[str] = []
    steps_raw = clean(record.get("trinh_tu_thuc_hien"))
    papers_raw = clean(record.get("thanh_phan_ho_so"))
    if re.fullmatch(r"-+", papers_raw):
        papers_raw = ""
    if papers_raw and PAPERS_HEADER not in papers_raw and _STEPS_SPILL.match(papers_raw):
        # Social-insurance records: the steps were cut at "mục 9.3 (" and go on in the papers field.
        steps_raw = f"{steps_raw}{papers_raw}"
        papers_raw = ""
        issues.append("papers: the field holds the rest of the steps; the record has no list of papers")
    channels = parse_channels(record.get("cach_thuc_thuc_hien", ""), steps_raw, issues)
    processing_days, processing_time_text = summarise_time(channels)
    results = parse_results(record.get("ket_qua_xu_ly", ""), issues)
    if results.description:
        issues.append(f"results: description not stored elsewhere: {results.description[:300]!r}")
    related = value(record.get("thu_tuc_lien_quan"))
    if related:
        issues.append(f"related procedures not stored: {related[:300]!r}")
    return ProcedureData(
        code=code,
        name=name,
        sector=" ".join(value(record.get("linh_vuc")).split()),
        levels=parse_levels(record.get("cap_thuc_hien", ""), issues),
        decision_number=value(record.get("so_quyet_dinh"))[:200],
        procedure_type=value(record.get("loai_thu_tuc"))[:200],
        applicants=value(record.get("doi_tuong_thuc_hien")),
        competent_authority=value(record.get("co_quan_co_tham_quyen")),
        implementing_agency_text=value(record.get("co_quan_thuc_hien")),
        processing_days=processing_days,
        processing_time_text=processing_time_text,
        conditions=value(record.get("yeu_cau_dieu_kien")),
        result_location=value(record.get("dia_chi_tiep_nhan")),
        online_level=online_level_for(channels),
        keywords=results.keywords,
        source_url=clean(record.get("detail_url"))[:500],
        channels=channels,
        steps=parse_steps(steps_raw),
        documents=parse_documents(papers_raw, issues),
        results=results.results,
        legal_bases=parse_legal_bases(record.get("can_cu_phap_ly", ""), issues),
        parse_issues=issues,
        source_record=dict(record),
    )


def read_jsonl(text: str):
    """The shared file: one JSON object a line → ``portal_format.ParsedFile`` (imported late: no cycle)."""
    import json

    from procedures.importers.portal_format import ParsedFile, ParsedRow, validate_procedure

    rows = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            rows.append(ParsedRow(row=number, errors=[f"not valid JSON: {exc}"]))
            continue
        if not isinstance(record, dict):
            rows.append(ParsedRow(row=number, errors=["a record must be a JSON object"]))
            continue
        code = clean(str(record.get("ma_thu_tuc", "")))
        try:
            data = parse_record(record)
        except ValueError as exc:
            rows.append(ParsedRow(row=number, code=code, errors=[str(exc)]))
            continue
        errors = validate_procedure(data.to_dict())
        rows.append(ParsedRow(row=number, code=code, data=None if errors else data, errors=errors))
    return ParsedFile(rows=rows)
