"""scripts/audit_pypi.py decides from PyPI's project JSON without the network here: the
answers are fed to it."""

from __future__ import annotations

import importlib.util
import sys
import urllib.error
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "audit_pypi.py"
spec = importlib.util.spec_from_file_location("audit_pypi", SCRIPT)
audit_pypi = importlib.util.module_from_spec(spec)
sys.modules["audit_pypi"] = audit_pypi  # dataclasses look their module up there
spec.loader.exec_module(audit_pypi)


def project(latest: str, vulnerabilities=(), releases=None) -> dict:
    return {
        "info": {"version": latest},
        "vulnerabilities": list(vulnerabilities),
        "releases": releases if releases is not None else {latest: [{"yanked": False}]},
    }


ADVISORY = {"id": "PYSEC-2099-1", "aliases": ["CVE-2099-0001"], "withdrawn": None}


def test_a_package_at_its_latest_release_with_an_advisory_fails_the_run():
    findings = audit_pypi.audit({"somepkg": "1.2.3"}, get=lambda name: project("1.2.3", [ADVISORY]))
    assert [(f.status, f.advisories) for f in findings] == [("vulnerable", ["PYSEC-2099-1, CVE-2099-0001"])]
    assert audit_pypi.exit_code(findings) == 1


def test_a_withdrawn_advisory_does_not_count():
    withdrawn = {**ADVISORY, "withdrawn": "2099-02-01T00:00:00Z"}
    findings = audit_pypi.audit({"somepkg": "1.2.3"}, get=lambda name: project("1.2.3", [withdrawn]))
    assert findings[0].status == "clean" and audit_pypi.exit_code(findings) == 0


def test_a_package_behind_its_latest_release_is_not_checked_and_says_where_it_stands():
    releases = {v: [{"yanked": False}] for v in ("5.2.18", "5.2.19", "5.2.20rc1", "6.1.3")}
    releases["5.2.21"] = [{"yanked": True}]
    newest = audit_pypi.audit({"django": "5.2.19"}, get=lambda name: project("6.1.3", [ADVISORY], releases))[0]
    assert newest.status == "not checked" and newest.advisories == []  # 6.1.3's advisories are not 5.2.19's
    assert newest.note == "the newest release of its 5.2 series"
    older = audit_pypi.audit({"django": "5.2.18"}, get=lambda name: project("6.1.3", [], releases))[0]
    assert older.note == "5.2.19 is newer in its series"
    assert audit_pypi.exit_code([newest, older]) == 3
    beyond = project("9.0", [], {"2.4.6": [], "9.0": []})
    beyond["info"]["requires_python"] = ">=99"
    assert (
        audit_pypi.judge("numpy", "2.4.6", beyond).note == "the newest release of its 2.4 series; 9.0 needs Python >=99"
    )


def test_an_unreachable_api_is_not_a_clean_result():
    def down(name):
        raise urllib.error.URLError("no route to pypi.org")

    findings = audit_pypi.audit({"somepkg": "1.0"}, get=down)
    assert findings[0].status == "unreachable" and audit_pypi.exit_code(findings) == 2


def test_the_audit_covers_the_pins_and_what_they_depend_on(tmp_path):
    requirements = tmp_path / "requirements.txt"
    requirements.write_text("# runtime\nDjango==5.2.19  # LTS\ncelery[redis]==5.7.0\n\n-r other.txt\n")
    assert audit_pypi.pinned_names(requirements) == ["Django", "celery"]
    installed = audit_pypi.closure(["Django"])
    assert {"django", "asgiref", "sqlparse"} <= set(installed)
    assert installed["django"].startswith("5.2.")


@pytest.mark.parametrize(("version", "expected"), [("2.9.0.post0", (2, 9)), ("2025.10.1", (2025, 10)), ("x", ())])
def test_series(version, expected):
    assert audit_pypi.series(version) == expected
