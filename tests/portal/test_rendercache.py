"""portal.rendercache: rendered parts of pages kept per process and in the shared cache, under
a version that any process can bump. Two instances with the same name stand for two
processes (each has its own memory; they share the cache)."""

from __future__ import annotations

import itertools

import pytest
from django.utils import translation

from portal import rendercache
from portal.rendercache import VersionedRenderCache


class Clock:
    """Both clocks the module reads, moved by hand."""

    def __init__(self, monkeypatch):
        self.offset = 0.0
        real_monotonic, real_time = rendercache.time.monotonic, rendercache.time.time
        monkeypatch.setattr(rendercache.time, "monotonic", lambda: real_monotonic() + self.offset)
        monkeypatch.setattr(rendercache.time, "time", lambda: real_time() + self.offset)

    def advance(self, seconds: float) -> None:
        self.offset += seconds


@pytest.fixture
def clock(monkeypatch):
    return Clock(monkeypatch)


_names = itertools.count()


@pytest.fixture
def name():
    return f"test-pages-{next(_names)}"


def counting(value: str):
    calls = []

    def render():
        calls.append(1)
        return f"{value} #{len(calls)}"

    return render, calls


def test_a_second_request_is_served_from_memory(name):
    pages = VersionedRenderCache(name=name, timeout=300, local_entries=10)
    render, calls = counting("page")
    assert pages.get_or_render(("a",), render) == pages.get_or_render(("a",), render) == "page #1"
    assert len(calls) == 1
    assert pages.get_or_render(("b",), render) == "page #2"


def test_another_process_reads_the_shared_copy_unless_kept_local(name):
    here = VersionedRenderCache(name=name, timeout=300, local_entries=10)
    there = VersionedRenderCache(name=name, timeout=300, local_entries=10)
    here.get_or_render(("shared",), lambda: "rendered here")
    here.get_or_render(("local",), lambda: "rendered here", shared=False)
    assert there.get_or_render(("shared",), lambda: "rendered there") == "rendered here"
    assert there.get_or_render(("local",), lambda: "rendered there", shared=False) == "rendered there"


def test_a_bump_anywhere_is_seen_everywhere_within_the_check_delay(name, clock):
    here = VersionedRenderCache(name=name, timeout=300, local_entries=10, check_every=1.0)
    there = VersionedRenderCache(name=name, timeout=300, local_entries=10, check_every=1.0)
    assert here.get_or_render(("p",), lambda: "old") == "old"
    assert there.get_or_render(("p",), lambda: "old there") == "old"
    here.bump()
    assert here.get_or_render(("p",), lambda: "new") == "new"  # at once in the bumping process
    assert there.get_or_render(("p",), lambda: "new there") == "old"  # its version is checked at most once a second
    clock.advance(1.1)
    assert there.get_or_render(("p",), lambda: "new there") == "new"


def test_entries_expire_after_the_timeout_even_without_a_bump(name, clock):
    here = VersionedRenderCache(name=name, timeout=60, local_entries=10)
    there = VersionedRenderCache(name=name, timeout=60, local_entries=10)
    here.get_or_render(("p",), lambda: "first")
    clock.advance(50)
    assert there.get_or_render(("p",), lambda: "second") == "first"  # copied late from the shared cache...
    clock.advance(11)
    assert there.get_or_render(("p",), lambda: "third") == "third"  # ...it expires with the original
    assert here.get_or_render(("p",), lambda: "fourth") in ("third", "fourth")


def test_each_language_has_its_own_entry(name):
    pages = VersionedRenderCache(name=name, timeout=300, local_entries=10)
    with translation.override("vi"):
        assert pages.get_or_render(("p",), translation.get_language) == "vi"
    with translation.override("en"):
        assert pages.get_or_render(("p",), translation.get_language) == "en"


def test_a_failed_render_caches_nothing(name):
    pages = VersionedRenderCache(name=name, timeout=300, local_entries=10)

    def missing():
        raise LookupError("no such page")

    with pytest.raises(LookupError):
        pages.get_or_render(("p",), missing)
    assert pages.get_or_render(("p",), lambda: "found later") == "found later"


def test_memory_holds_a_bounded_number_of_entries(name):
    pages = VersionedRenderCache(name=name, timeout=300, local_entries=3)
    for n in range(10):
        pages.get_or_render((n,), lambda n=n: n, shared=False)
    assert len(pages._local) == 3
    assert pages.get_or_render((9,), lambda: "again", shared=False) == 9
    assert pages.get_or_render((0,), lambda: "again", shared=False) == "again"
