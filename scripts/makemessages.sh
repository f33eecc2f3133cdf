#!/usr/bin/env bash
# Refresh every Vietnamese catalogue from the source: the root one (site-wide templates and
# the portal package) and each app or sub-app that keeps its own locale/ folder.
# Then fill in the new msgstr entries and run `make messages` (the tests fail on any
# untranslated or fuzzy entry).
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-.venv/bin/python}
own=$(find . -path ./.venv -prune -o -path ./locale -prune -o -type d -name locale -print | sed 's#^\./##; s#/locale$##' | sort)
ignores=(--ignore=.venv --ignore=tests --ignore=bench --ignore=scripts --ignore=locale)
for dir in $own; do ignores+=(--ignore="$dir"); done
$PY manage.py makemessages -l vi --no-obsolete "${ignores[@]}"
# Without settings, makemessages writes to the ./locale of the folder it runs in; with
# them it would send everything to LOCALE_PATHS[0], the root catalogue.
root=$PWD
for dir in $own; do
  (cd "$dir" && env -u DJANGO_SETTINGS_MODULE "$root/$(dirname "$PY")/django-admin" makemessages -l vi --no-obsolete --ignore=locale)
done
