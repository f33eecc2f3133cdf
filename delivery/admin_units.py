"""Loading the administrative units (34 provinces, 3,321 wards and communes after 1 July 2025).

The data comes from the ``vietnam-provinces`` package (pinned in requirements.txt; its
``__data_version__`` says when it was taken from the General Statistics Office's list).
Codes are the GSO codes written as people and the national systems write them: two digits
for a province, five for a ward.
"""

from __future__ import annotations

import json
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction

from delivery.models import Province, Ward


@dataclass(frozen=True)
class LoadResult:
    provinces: int
    wards: int
    source: str


def default_source() -> tuple[Path, str]:
    import vietnam_provinces

    return (
        Path(vietnam_provinces.NESTED_DIVISIONS_JSON_PATH),
        f"vietnam-provinces {vietnam_provinces.__version__} (data {vietnam_provinces.__data_version__})",
    )


def _nfc(value: str) -> str:
    return " ".join(unicodedata.normalize("NFC", value).split())


def admin_units_load(*, path: Path | None = None) -> LoadResult:
    """Insert or update every unit by its code (idempotent; bulk, a few queries)."""
    source = str(path)
    if path is None:
        path, source = default_source()
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    with transaction.atomic():
        Province.objects.bulk_create(
            [Province(code=f"{int(p['code']):02d}", name=_nfc(p["name"])) for p in data],
            update_conflicts=True,
            unique_fields=["code"],
            update_fields=["name"],
        )
        ids = dict(Province.objects.values_list("code", "pk"))
        wards = [
            Ward(code=f"{int(w['code']):05d}", name=_nfc(w["name"]), province_id=ids[f"{int(p['code']):02d}"])
            for p in data
            for w in p["wards"]
        ]
        Ward.objects.bulk_create(
            wards, update_conflicts=True, unique_fields=["code"], update_fields=["name", "province"], batch_size=1000
        )
    return LoadResult(provinces=len(data), wards=len(wards), source=source)
