#!/usr/bin/env bash
# Known-vulnerability audit of the pinned requirements (pip-audit).
#
# pip-audit looks every pinned package up in a vulnerability database: by default PyPI's JSON
# API (https://pypi.org/pypi/<name>/<version>/json, which carries the advisories), or OSV
# (https://api.osv.dev) with `--vulnerability-service osv`. It therefore needs access to
# pypi.org or osv.dev. On a machine that reaches only a package mirror, pip-audit reports
# every package as "not found on PyPI" (mirrors serve the simple index, not the JSON API with
# vulnerabilities): that is not a clean result. Run this script where pypi.org or osv.dev is
# reachable (a developer laptop, CI with internet); it exits non-zero on any known
# vulnerability. No test calls it: the test suite needs no network.
#
# Usage: scripts/audit_requirements.sh [--osv] [extra pip-audit options]
set -euo pipefail
cd "$(dirname "$0")/.."
PIP_AUDIT="${PIP_AUDIT:-.venv/bin/pip-audit}"
if ! command -v "$PIP_AUDIT" >/dev/null 2>&1; then
    PIP_AUDIT="pip-audit"
fi
if ! command -v "$PIP_AUDIT" >/dev/null 2>&1; then
    echo "pip-audit is not installed: .venv/bin/pip install pip-audit" >&2
    exit 2
fi
service=(--vulnerability-service pypi)
if [[ "${1:-}" == "--osv" ]]; then
    service=(--vulnerability-service osv)
    shift
fi
# --no-deps: requirements.txt pins every package; --strict: a package that cannot be checked is a failure.
exec "$PIP_AUDIT" --requirement requirements.txt --no-deps --strict "${service[@]}" "$@"
