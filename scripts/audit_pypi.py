"""Known vulnerabilities of the installed runtime packages, from PyPI's project JSON API.

    .venv/bin/python scripts/audit_pypi.py [--requirements requirements.txt] [--json]

pip-audit (scripts/audit_requirements.sh) asks PyPI for each pinned release
(``/pypi/<name>/<version>/json``) or asks osv.dev. Where only PyPI's project endpoint
(``/pypi/<name>/json``) can be reached, as on the machines these sessions run on, this is the
equivalent that can be had: that endpoint lists the advisories (PYSEC, GHSA, CVE) of the
project's *latest* release. So:

- the packages audited are those of requirements.txt and everything they depend on, at the
  versions installed in this environment (importlib.metadata), not only the top-level pins;
- a package installed at its latest release is checked: its advisories are listed, and any
  advisory makes the run fail (exit 1);
- a package behind its latest release (Django on its LTS series, say) cannot be checked this
  way: it is reported as "not checked", with whether it is the newest release of its own
  series (major.minor), and the run exits 3 unless every package was checked. pip-audit
  where pypi.org's release endpoint or osv.dev is reachable settles those.

Exit codes: 0 clean, 1 a known vulnerability, 2 the API could not be reached, 3 some packages
not checked. No test needs the network: tests/portal/test_audit_pypi.py feeds it answers.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
API = "https://pypi.org/pypi/{name}/json"


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


@dataclass
class Finding:
    name: str
    version: str
    latest: str
    status: str  # "clean", "vulnerable", "not checked", "unreachable"
    advisories: list[str] = field(default_factory=list)
    note: str = ""


def pinned_names(requirements: Path) -> list[str]:
    names = []
    for line in requirements.read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if match := re.match(r"^([A-Za-z0-9_.-]+)(\[[^\]]*\])?\s*==", line):
            names.append(match.group(1))
    return names


def closure(names: list[str]) -> dict[str, str]:
    """The installed distributions of ``names`` and of everything they require (markers for
    this interpreter honoured, extras as installed): canonical name → version."""
    found: dict[str, str] = {}
    todo = list(names)
    while todo:
        name = canonical(todo.pop())
        if name in found:
            continue
        try:
            dist = metadata.distribution(name)
        except metadata.PackageNotFoundError:
            continue  # an optional dependency that is not installed: not used here
        found[name] = dist.version
        for requirement in dist.requires or []:
            spec, _, marker = requirement.partition(";")
            if "extra ==" in marker:
                continue  # an extra's dependency: audited if installed through another path
            if match := re.match(r"^\s*([A-Za-z0-9_.-]+)", spec):
                todo.append(match.group(1))
    return found


def _parsed(version: str):
    from packaging.version import InvalidVersion, Version

    try:
        return Version(version)
    except InvalidVersion:
        return None


def series(version: str) -> tuple[int, ...]:
    parsed = _parsed(version)
    return parsed.release[:2] if parsed else ()


def newest_of_series(version: str, releases: dict) -> str:
    """The newest final, not yanked release with the same major.minor as ``version``."""
    candidates = [
        (parsed, v)
        for v, files in releases.items()
        if (parsed := _parsed(v)) is not None
        and not parsed.is_prerelease
        and parsed.release[:2] == series(version)
        and not (files and all(f.get("yanked") for f in files))
    ]
    return max(candidates)[1] if candidates else version


def _python_satisfies(requires: str) -> bool:
    from packaging.specifiers import InvalidSpecifier, SpecifierSet

    try:
        return SpecifierSet(requires).contains(".".join(map(str, sys.version_info[:3])))
    except InvalidSpecifier:
        return True


def judge(name: str, version: str, project: dict) -> Finding:
    latest = project["info"]["version"]
    if version != latest:
        newest = newest_of_series(version, project.get("releases") or {})
        note = (
            f"the newest release of its {'.'.join(map(str, series(version)))} series"
            if newest == version
            else f"{newest} is newer in its series"
        )
        requires = project["info"].get("requires_python") or ""
        if requires and not _python_satisfies(requires):
            note += f"; {latest} needs Python {requires}"
        return Finding(name, version, latest, "not checked", note=note)
    advisories = [
        ", ".join([v.get("id", "?"), *v.get("aliases", [])])
        for v in project.get("vulnerabilities") or []
        if not v.get("withdrawn")
    ]
    return Finding(name, version, latest, "vulnerable" if advisories else "clean", advisories)


def fetch(name: str) -> dict:
    with urllib.request.urlopen(API.format(name=name), timeout=20) as response:  # noqa: S310 - a fixed https URL
        return json.load(response)


def audit(packages: dict[str, str], get: Callable[[str], dict] = fetch) -> list[Finding]:
    findings = []
    for name, version in sorted(packages.items()):
        try:
            project = get(name)
        except (urllib.error.URLError, TimeoutError, ValueError) as exc:
            findings.append(Finding(name, version, "?", "unreachable", note=str(exc)))
            continue
        findings.append(judge(name, version, project))
    return findings


def exit_code(findings: list[Finding]) -> int:
    statuses = {f.status for f in findings}
    if "vulnerable" in statuses:
        return 1
    if "unreachable" in statuses:
        return 2
    if "not checked" in statuses:
        return 3
    return 0


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requirements", default=str(ROOT / "requirements.txt"))
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    findings = audit(closure(pinned_names(Path(args.requirements))))
    if args.json:
        print(json.dumps([f.__dict__ for f in findings], indent=1))
    else:
        for f in findings:
            extra = "; ".join(f.advisories) or f.note
            print(f"{f.name:<28} {f.version:<12} latest {f.latest:<12} {f.status}{': ' + extra if extra else ''}")
        counts = {
            s: sum(f.status == s for f in findings) for s in ("clean", "vulnerable", "not checked", "unreachable")
        }
        print(
            f"{len(findings)} packages: {counts['clean']} at their latest release with no known vulnerability, "
            f"{counts['vulnerable']} vulnerable, {counts['not checked']} not checked (behind their latest release), "
            f"{counts['unreachable']} unreachable"
        )
    return exit_code(findings)


if __name__ == "__main__":
    sys.exit(main())
