"""How callers speak: folding, filler words, everyday names, intent cues, yes/no and choices.

Everything here works on folded text (``procedures.text.fold``: no case, no diacritics, đ→d),
because callers type without diacritics as often as with them, and the phone system's speech
recogniser may drop them. The lists are general Vietnamese usage, not tuned to one catalogue.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache, lru_cache

from procedures.assistant.constants import Intent
from procedures.text import fold

# --- Tokens ------------------------------------------------------------------------------------

_QUI = "qui"
_Y_AFTER_CONSONANT = re.compile(r"(?<=[bcdghklmnpqrstvx])y$")


@lru_cache(maxsize=65536)
def canonical(token: str) -> str:
    """Both "kí" and "ký", "lí" and "lý", "qui" and "quy" are written; fold them to one spelling."""
    return "quy" if token == _QUI else _Y_AFTER_CONSONANT.sub("i", token)


# Words that carry no meaning for finding a procedure. Applied to the catalogue too, so that
# word pairs (bigrams) line up on both sides.
STOP_WORDS = frozenset(
    """
    toi em minh_ anh chi ong ba chau bac co cau a ah ha u oi nhe nha nhi vay nao gi duoc khong ko k la thi
    va voi ve cua de cho o di nay day kia roi se da nhung cac nhu phai nhieu muon biet giup dum ak vs hay hoac cai
    """.split()
)
STOP_WORDS = frozenset(w for w in STOP_WORDS if not w.endswith("_"))
# Words that are filler alone but a name's word in these pairs once diacritics are gone
# ("thì" / "thị thực", "ở" / "ô tô", "về" / "vệ sinh").
KEPT_PAIRS = frozenset(
    "thi thuc|thi tran|thi xa|thi hanh|thi cong|thi dua|o to|ve sinh|di doi|di chuyen|di san|di tich|de dieu|"
    "nha o|nha dat|nha nuoc|nha dau|nha giao".split("|")
)


def _drop_stop_words(words: list[str]) -> list[str]:
    kept = []
    for i, word in enumerate(words):
        if word not in STOP_WORDS or (i + 1 < len(words) and f"{word} {words[i + 1]}" in KEPT_PAIRS):
            kept.append(word)
    return kept


# Phrases removed before matching (folded, whole words).
FILLER_PHRASES = [
    r"thu tuc hanh chinh",
    r"thu tuc",
    r"thong tin",
    r"xin chao",
    r"a lo",
    r"alo",
    r"vui long",
    r"lam on",
    r"lien quan (den|toi)",
    r"can (phai )?(biet|hoi|lam)",
    r"muon (biet|hoi|lam|tim hieu)",
    r"tim hieu",
    r"lam (sao|the nao|nhu the nao|ra sao) (de|ma)?",
    r"(nhu )?the nao",
    r"ra sao",
    r"(thi|la|vay) sao",
    r"cho (em|toi|minh|chau|tui)? ?hoi",
    r"^(the )?con\b",
    r"\bcan\b(?! (cuoc|ho|nha|cu|cu tru))",
    r"tong dai",
    r"bao nhieu",
    r"(nop )?ho so",
    r"(o|tai) (day|do)",
]
_FILLER_RE = re.compile(r"\b(?:" + "|".join(FILLER_PHRASES) + r")\b")

# Everyday names → the words the catalogue uses (query side only).
EVERYDAY_NAMES = [
    (r"(so|bia) (do|hong)", "giay chung nhan quyen su dung dat"),
    (r"(chung minh thu|can cuoc cong dan|cccd)", "can cuoc"),
    (r"(cmnd|cmt)", "chung minh nhan dan"),
    (r"bhyt", "bao hiem y te"),
    (r"bhxh", "bao hiem xa hoi"),
    (r"the bao hiem(?! (y te|xa hoi))", "the bao hiem y te"),
    (r"so bao hiem(?! (y te|xa hoi))", "so bao hiem xa hoi"),
    (r"(bang lai xe|bang lai|gplx)", "giay phep lai xe"),
    (r"passport", "ho chieu"),
    (r"tach (ho khau|so ho khau|khau)", "tach ho"),
    (r"(nhap|dang ky|lam|chuyen) (ho khau|khau)", "dang ky thuong tru"),
    (r"ho khau", "thuong tru"),
    (r"(dam cuoi|lay vo|lay chong|cuoi vo|cuoi chong|cuoi hoi)", "ket hon"),
    (r"(qua doi|tu tran|chet|mat di)", "khai tu"),
    (r"(doc than|chua (ket hon|lap gia dinh|co vo|co chong))", "xac nhan tinh trang hon nhan"),
    (r"(sao y|photo cong chung|cong chung (ban sao|giay to)|cong chung photo)", "chung thuc ban sao"),
    (r"(kinh doanh ca the|ho ca the|ca the)", "ho kinh doanh"),
    (r"mo (ho kinh doanh|cong ty|doanh nghiep|hop tac xa)", r"thanh lap \1"),
    (r"(giay phep xay nha|xay nha|xay dung nha)", "xay dung"),
    (r"ly lich(?! tu phap)", "ly lich tu phap"),
    (r"(giay khai sinh|lam khai sinh)", "khai sinh"),
    (r"con moi (de|sinh)", "khai sinh"),
    (r"(tam vang)", "khai bao tam vang"),
]
_EVERYDAY = [(re.compile(r"\b" + pattern + r"\b"), words) for pattern, words in EVERYDAY_NAMES]

# Verbs that ask for something to be issued: callers say "làm", "xin"; the catalogue says "cấp".
GENERIC_VERBS = frozenset({"lam", "xin", "lay"})
GENERIC_HINT = "cap"

# Words that turn a procedure into a variant of it. A caller who does not say "lại" or "lưu
# động" means the plain procedure, so a variant whose name has them is less likely.
# Actions count where the name says what is done (its head); qualifiers of who or where count
# anywhere in it ("… cho người nước ngoài").
ACTION_MODIFIERS = frozenset(
    {
        "cap lai", "ki lai", "cap doi", "thay doi", "dieu chinh", "gia han", "bo sung", "xoa", "thu hoi",
        "cham dut", "tam ngung", "tam dung", "dung thuc", "dung hoat", "trinh bao",
    }
)  # fmt: skip
QUALIFIER_MODIFIERS = frozenset({"luu dong", "nuoc ngoai", "trung uong"})
MODIFIERS = ACTION_MODIFIERS | QUALIFIER_MODIFIERS

# The word that says a variant when the catalogue's pair has a generic verb: "đổi thẻ" names "cấp đổi".
_MODIFIER_KEYS = {"cap lai": "lai", "ki lai": "lai", "cap doi": "doi", "trinh bao": "bao"}


def modifier_said(modifier: str, features: set[str]) -> bool:
    return _MODIFIER_KEYS.get(modifier, modifier) in features


@cache
def modifier_keys(modifier: str) -> frozenset[str]:
    """The words by which a caller names a variant: "cấp đổi" by "đổi", "thay đổi" by "đổi" too."""
    return frozenset({_MODIFIER_KEYS.get(modifier, modifier), modifier, *modifier.split()})


# Variant words too common in other senses to count against names that lack them
# ("khai báo" is no "trình báo").
_AMBIGUOUS_KEYS = frozenset({"bao", "cap", "ki"})


def said_variant_keys(features: set[str]) -> set[str]:
    """The variant words the caller said ("lại", "gia hạn", "xóa"), one key per variant."""
    keys = set()
    for modifier in MODIFIERS:
        key = _MODIFIER_KEYS.get(modifier, modifier)
        if key in features and key not in _AMBIGUOUS_KEYS:
            keys.add(key)
    return keys


# --- Intents -----------------------------------------------------------------------------------

INTENT_CUES: dict[str, list[str]] = {
    Intent.RESULT: [
        r"ket qua",
        r"nhan (duoc|lai)? ?(gi|cai gi|giay gi)",
        r"duoc cap (gi|cai gi|giay gi)",
        r"tra (ve )?(gi|cai gi)",
        r"(nhan|lay) (giay|ket qua) (o|tai) (dau|cho nao)",
    ],
    Intent.TIME: [
        r"bao lau",
        r"may (ngay|hom|tuan|thang|buoi)",
        r"bao nhieu (ngay|hom|tuan|thang|lau)",
        r"thoi (gian|han)",
        r"(khi|luc) nao (thi )?(co|xong|nhan|lay|duoc)",
        r"bao gio (thi )?(co|xong|nhan|lay|duoc)",
        r"lau (khong|ko|k|qua|the)",
        r"nhanh (khong|ko|nhat)",
        r"trong (ngay|may ngay)",
        r"(mat|ton|het) (may|bao lau)",
        r"xong (chua|khong)",
    ],
    Intent.FEE: [
        r"le phi",
        r"phi",
        r"chi phi",
        r"tien",
        r"mien phi",
        r"(mat|ton|het|tra|dong|nop) bao nhieu(?! (ngay|hom|tuan|thang|lau))",
        r"bao nhieu (tien|phi|dong|xu)",
        r"gia (bao nhieu|ca)",
        r"(co|phai) (mat|ton|tra|dong) (phi|tien|gi)",
        r"ton kem",
    ],
    Intent.PAPERS: [
        r"giay to (gi|nao|can|gom|can thiet|thi sao|ra sao|nhu the nao|the nao)",
        r"(can|mang|chuan bi|nhung|cac|gom) (nhung )?(giay to|ho so|tai lieu|giay gi)",
        r"ho so (gom|gi|can|nhu the nao|the nao|ra sao|nhung gi|thi sao)",
        r"thanh phan",
        r"(mang|chuan bi|can) (theo )?(nhung )?(gi|cai gi)",
        r"tai lieu",
        r"(to khai|mau don|don mau)",
        r"giay gi",
    ],
    Intent.STEPS: [
        r"trinh tu",
        r"(cac|nhung|tung) buoc",
        r"buoc (nao|dau|tiep)",
        r"quy trinh",
        r"thuc hien (nhu )?(the nao|ra sao)",
        r"tien hanh (nhu )?(the nao|ra sao)",
        r"cach (lam|thuc hien|nop)",
        r"huong dan (cach|cac buoc|lam)",
        r"lam (nhung )?gi (truoc|dau tien|tiep)",
    ],
    Intent.ONLINE: [
        r"truc tuyen",
        r"online",
        r"onl",
        r"(qua|tren) (mang|internet|dien thoai|app|ung dung|may tinh|cong)",
        r"internet",
        r"dich vu cong",
        r"vneid",
        r"(tai|o) nha",
        r"tu xa",
        r"khong (can|phai) (den|di|len|ra)",
        r"(qua|gui) (buu dien|buu chinh)",
        r"buu (dien|chinh)",
    ],
    Intent.WHERE: [
        r"o dau",
        r"tai dau",
        r"(cho|noi) nao",
        r"(nop|lam|den|toi|di|len|ra) dau",
        r"dia chi",
        r"co quan nao",
        r"(phong|ban|so|uy ban|ubnd|cong an|xa|phuong|tinh|huyen) (nao|o dau)",
        r"noi (nop|tiep nhan|lam|giai quyet)",
        r"(tiep nhan|giai quyet) (o|tai)",
        r"(xa|phuong) hay (tinh|huyen)",
        r"nop (o|tai)",
    ],
    Intent.OVERVIEW: [r"thong tin", r"tim hieu", r"tong quan", r"gioi thieu"],
}
_INTENT_RES = [(intent, re.compile(r"\b(?:" + cue + r")\b")) for intent, cues in INTENT_CUES.items() for cue in cues]
_ANY_CUE = re.compile(r"\b(?:" + "|".join(cue for cues in INTENT_CUES.values() for cue in cues) + r")\b")
# Cue words that are also catalogue words are removed before matching only where they were cues.
_WEAK_PAPERS = re.compile(r"\b(giay to|ho so)\b")

_GREETING = re.compile(r"^(xin chao|chao|alo|a lo|hello|hi|kinh chao)\b")
_THANKS = re.compile(r"\b(cam on|thank|thanks|cam ta)\b")
_GOODBYE = re.compile(r"\b(tam biet|bye|goodbye|het roi|vay thoi|the thoi|chao nhe|chao tong dai)\b")

YES_WORDS = frozenset(
    "co vang da u uh um ok oke okay duoc dong y muon nghe tiep di chu dung roi phai ung yes a nhe nha vay "
    "can minh em toi xin".split()
)
_YES_CORE = frozenset("co vang u uh um ok oke okay duoc dong y muon tiep dung phai ung yes".split())
NO_WORDS = frozenset(
    "khong ko k thoi khoi du roi can dau nghe a da nhe nha vay cam on muon minh em toi phai dung chua cai do".split()
)
_NO_CORE = frozenset("khong ko k thoi khoi du".split())

_ORDINALS = {
    "1": 0,
    "mot": 0,
    "nhat": 0,
    "dau": 0,
    "dau tien": 0,
    "2": 1,
    "hai": 1,
    "nhi": 1,
    "3": 2,
    "ba": 2,
    "cuoi": -1,
    "cuoi cung": -1,
}
_CHOICE = re.compile(
    r"^(?:(?:da|vang|u|chon|lay|la|toi chon|em chon|minh chon)\s+)*"
    r"(?:(?:cai|so|thu tuc|loai|phuong an|muc|y)\s+)?(?:(?:thu|so)\s+)?"
    r"(1|2|3|mot|hai|ba|nhat|nhi|dau tien|dau|cuoi cung|cuoi)"
    r"(?:\s+(?:a|nhe|nha|di|do|day|thu tuc|cai|ay))*$"
)


@dataclass
class Utterance:
    text: str
    folded: str
    intents: list[str] = field(default_factory=list)
    content: list[str] = field(default_factory=list)
    hints: list[str] = field(default_factory=list)
    weak_papers: bool = False
    yes: bool = False
    no: bool = False
    choice: int | None = None
    greeting: bool = False
    thanks: bool = False
    goodbye: bool = False


# Abbreviations written in names and said in full by callers (or the reverse): both sides
# read them in full.
ABBREVIATIONS = {
    "tnld": "tai nan lao dong",
    "bnn": "benh nghe nghiep",
    "bhxh": "bao hiem xa hoi",
    "bhyt": "bao hiem y te",
    "bhtn": "bao hiem that nghiep",
    "ubnd": "uy ban nhan dan",
    "hdnd": "hoi dong nhan dan",
    "qsdd": "quyen su dung dat",
    "gcn": "giay chung nhan",
    "dkkd": "dang ky kinh doanh",
    "htx": "hop tac xa",
    "tthc": "thu tuc hanh chinh",
}


def expand_abbreviations(folded: str) -> str:
    if not any(word in ABBREVIATIONS for word in folded.split()):
        return folded
    return " ".join(ABBREVIATIONS.get(word, word) for word in folded.split())


def tokens_of(folded: str) -> list[str]:
    """Catalogue side: folded words, canonical spelling, filler words out."""
    return _drop_stop_words([canonical(w) for w in expand_abbreviations(folded).split()])


def _intents(folded: str) -> list[tuple[int, str, tuple[int, int]]]:
    found: list[tuple[int, str, tuple[int, int]]] = []
    if not _ANY_CUE.search(folded):
        return found
    for intent, regex in _INTENT_RES:
        for match in regex.finditer(folded):
            found.append((match.start(), intent, match.span()))
    return sorted(found)


def _resolve_intents(found: list[tuple[int, str, tuple[int, int]]]) -> list[str]:
    kinds = []
    for _start, intent, _span in found:
        if intent not in kinds:
            kinds.append(intent)
    # "Bao giờ có kết quả?" asks for the time; "nhận kết quả ở đâu?" for the result.
    if Intent.TIME in kinds and Intent.RESULT in kinds:
        kinds.remove(Intent.RESULT)
    if Intent.RESULT in kinds and Intent.WHERE in kinds:
        kinds.remove(Intent.WHERE)
    # "nộp online/ qua bưu điện ở đâu" is about the channels.
    if Intent.ONLINE in kinds and Intent.WHERE in kinds:
        kinds.remove(Intent.WHERE)
    if len(kinds) > 1 and Intent.OVERVIEW in kinds:
        kinds.remove(Intent.OVERVIEW)
    return kinds


def analyse(text: str) -> Utterance:
    folded = expand_abbreviations(fold(text))
    utterance = Utterance(text=text, folded=folded)
    words = folded.split()
    word_set = set(words)
    if words and word_set <= YES_WORDS and word_set & _YES_CORE and not word_set & _NO_CORE:
        utterance.yes = True
    elif words and word_set <= NO_WORDS and word_set & _NO_CORE:
        utterance.no = True
    choice = _CHOICE.match(folded)
    if choice:
        utterance.choice = _ORDINALS[choice.group(1)]
    utterance.greeting = bool(_GREETING.search(folded))
    utterance.thanks = bool(_THANKS.search(folded))
    utterance.goodbye = bool(_GOODBYE.search(folded))

    found = _intents(folded)
    utterance.intents = _resolve_intents(found)
    # Remove the cue spans (and the fillers) before looking for the procedure.
    remaining = list(folded)
    for _start, intent, (begin, end) in found:
        if intent == Intent.OVERVIEW:
            continue
        for i in range(begin, end):
            remaining[i] = " "
    rest = "".join(remaining)
    for pattern in (_GREETING, _THANKS, _GOODBYE):
        rest = pattern.sub(" ", rest)
    if not utterance.intents and _WEAK_PAPERS.search(rest):
        utterance.weak_papers = True
    for regex, words_for in _EVERYDAY:
        rest = regex.sub(words_for, rest)
    rest = _FILLER_RE.sub(" ", " ".join(rest.split()))
    content = []
    words = [canonical(raw) for raw in rest.split()]
    kept = {i for i, w in enumerate(words) if i + 1 < len(words) and f"{w} {words[i + 1]}" in KEPT_PAIRS}
    for i, token in enumerate(words):
        if token in GENERIC_VERBS:
            utterance.hints.append(GENERIC_HINT)
            continue
        if token in STOP_WORDS and i not in kept:
            continue
        if content and content[-1] == token:
            continue
        content.append(token)
    utterance.content = content
    return utterance
