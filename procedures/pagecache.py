"""The catalogue's public pages (home, search results, a procedure's page) are the same for
every visitor of a language: their rendered content is cached under a catalogue version
(``portal.rendercache``) that every change of the catalogue bumps."""

from __future__ import annotations

from collections.abc import Callable, Hashable

from django.db import transaction
from django.utils.safestring import SafeString, mark_safe

from portal.rendercache import VersionedRenderCache

# 1,000 rendered pages (10–20 kB each) a process at most; five minutes in the shared cache.
CATALOGUE_PAGES = VersionedRenderCache(name="procedures:pages", timeout=300, local_entries=1000)


def catalogue_pages_changed() -> None:
    """Call in the transaction that changes procedures, agencies, sectors or levels: once it
    commits, every process renders the catalogue's pages again."""
    transaction.on_commit(CATALOGUE_PAGES.bump)


def catalogue_page(
    parts: tuple[Hashable, ...], render: Callable[[], dict[str, str]], *, shared: bool = True
) -> dict[str, SafeString]:
    """``render()`` returns the page's parts as HTML strings (``content``, maybe ``title``),
    rendered without the request. ``shared=False`` keeps the result in this process only:
    for keys that visitors choose freely (search queries)."""
    return {name: mark_safe(html) for name, html in CATALOGUE_PAGES.get_or_render(parts, render, shared=shared).items()}  # noqa: S308 - rendered by our templates
