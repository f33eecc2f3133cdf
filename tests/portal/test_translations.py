"""Every Vietnamese catalogue of the project is complete: no untranslated or fuzzy entry."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CATALOGUES = sorted(
    p
    for p in ROOT.rglob("vi/LC_MESSAGES/*.po")
    if "locale" in p.parts and ".venv" not in p.parts and "node_modules" not in p.parts
)


def test_there_are_vietnamese_catalogues():
    assert CATALOGUES, "no locale/vi/LC_MESSAGES/*.po found"


@pytest.mark.parametrize("po", CATALOGUES, ids=lambda p: str(p.relative_to(ROOT)))
def test_catalogue_is_complete(po):
    result = subprocess.run(
        ["msgfmt", "--check", "--statistics", "-o", "/dev/null", str(po)],
        capture_output=True,
        text=True,
        env={"LC_ALL": "C"},
    )
    assert result.returncode == 0, result.stderr
    stats = result.stderr
    assert not re.search(r"\d+ fuzzy", stats), f"{po}: {stats}"
    assert not re.search(r"\d+ untranslated", stats), f"{po}: {stats}"
