"""Refresh the portal's Vietnamese catalogue of django-allauth from the installed allauth.

django-allauth ships no Vietnamese translation, so the portal keeps its own in
``locale/allauth/vi/LC_MESSAGES/django.po`` (listed in ``LOCALE_PATHS``). It holds only the
messages of the parts the portal uses: ``allauth.account`` and ``allauth.mfa`` (code and
templates, the e-mails included) and the shared ``templates/allauth`` layout. Messages used
only by socialaccount, headless, idp and usersessions are left out. It also holds the few
messages of Django itself that the account pages show but Django's own Vietnamese catalogue
lacks; they carry the translator comment ``SUPPLEMENT`` below and are kept across refreshes.

After upgrading django-allauth, run from the project root::

    .venv/bin/python scripts/allauth_messages.py

It extracts allauth's current message ids (Django's ``makemessages`` on a copy of the
package), keeps the ones of the parts above, merges them into the catalogue without fuzzy
guesses (existing translations kept, vanished ones dropped) and prints the statistics.
Then translate the new entries (``tests/portal/test_allauth_vietnamese.py`` fails on any
untranslated or fuzzy one) and run ``manage.py compilemessages --ignore=.venv``.
Needs GNU gettext (``msggrep``, ``msgmerge``, ``msgattrib``, ``msgfmt``).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CATALOGUE = ROOT / "locale" / "allauth" / "vi" / "LC_MESSAGES" / "django.po"
# Source folders (relative to the allauth package) whose messages the portal shows.
KEPT = ("account", "mfa", "templates/account", "templates/mfa", "templates/allauth")
SUPPLEMENT = "Missing from Django's own vi catalogue"
TITLE = (
    "# Vietnamese translation of the django-allauth messages the portal shows\n"
    "# (account, mfa, their e-mails, the allauth layout). Refresh after an allauth upgrade\n"
    "# with scripts/allauth_messages.py.\n"
)
HEADER = {
    "Project-Id-Version": "dichvucong allauth-vi",
    "Language-Team": "Vietnamese",
    "Language": "vi",
    "Plural-Forms": "nplurals=1; plural=0;",
}


def run(args: list[str], **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(args, check=True, capture_output=True, text=True, **kwargs)  # noqa: S603


def extract(workdir: Path) -> Path:
    """Return a template of allauth's messages restricted to the kept folders."""
    import allauth

    package = workdir / "allauth"
    shutil.copytree(Path(allauth.__file__).parent, package, ignore=shutil.ignore_patterns("locale", "__pycache__"))
    (package / "locale").mkdir()
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    run([sys.executable, "-m", "django", "makemessages", "-l", "vi"], cwd=package, env=env)
    # msggrep's -N wildcards do not cross "/", so spell out each depth.
    patterns = [arg for base in KEPT for depth in range(1, 5) for arg in ("-N", base + "/*" * depth)]
    template = workdir / "allauth-vi.pot"
    run(["msggrep", *patterns, "-o", str(template), str(package / "locale" / "vi" / "LC_MESSAGES" / "django.po")])
    return template


def set_header(po: Path) -> None:
    text = po.read_text(encoding="utf-8")
    head, sep, rest = text.partition('msgstr ""\n')
    if "SOME DESCRIPTIVE TITLE" in head:  # a new catalogue: gettext's placeholder comment
        head = TITLE + head[head.index('msgid ""') :]
    head = head.replace("#, fuzzy\n", "")
    for field, value in HEADER.items():
        rest = re.sub(rf'^"{field}: .*\\n"$', f'"{field}: {value}\\\\n"', rest, count=1, flags=re.MULTILINE)
    po.write_text(head + sep + rest, encoding="utf-8")


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        template = extract(Path(tmp))
        if CATALOGUE.exists():
            supplement = Path(tmp) / "supplement.po"
            run(["msggrep", "--comment", "-e", SUPPLEMENT, "-o", str(supplement), str(CATALOGUE)])
            if supplement.exists():
                run(["msgcat", "--use-first", "-o", str(template), str(template), str(supplement)])
            run(
                [
                    "msgmerge",
                    "--quiet",
                    "--no-fuzzy-matching",
                    "--backup=none",
                    "--update",
                    str(CATALOGUE),
                    str(template),
                ]
            )
            run(["msgattrib", "--no-obsolete", "-o", str(CATALOGUE), str(CATALOGUE)])
        else:
            CATALOGUE.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(template, CATALOGUE)
    set_header(CATALOGUE)
    stats = run(["msgfmt", "--check", "--statistics", "-o", os.devnull, str(CATALOGUE)], env={"LC_ALL": "C"})
    print(f"{CATALOGUE.relative_to(ROOT)}: {stats.stderr.strip()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
