"""Search behaviour; runs unchanged on SQLite and on PostgreSQL (both CI modes)."""

from __future__ import annotations

import unicodedata

import pytest
from django.db import connection

from procedures.models import Procedure, SearchTerm
from procedures.search import procedure_refresh_search_text, resolve_query_words
from procedures.selectors import procedure_search, procedure_search_page
from procedures.text import fold
from tests.procedures.catalogue_factories import AliasFactory, ProcedureFactory, StepFactory
from tests.procedures.sample_catalogue import catalogue_fixture  # noqa: F401 - the "catalogue" fixture

pytestmark = pytest.mark.django_db


def codes(query: str, **filters) -> list[str]:
    return [p.code for p in procedure_search(query=query, **filters)]


@pytest.mark.parametrize(
    "query",
    [
        "dang ky ho kinh doanh",
        "Đăng ký hộ kinh doanh",
        "DANG KY KINH DOANH",
        "ĐĂNG KÝ HỘ KINH DOANH",
        unicodedata.normalize("NFD", "Đăng ký hộ kinh doanh"),
        "  đăng   ký,  hộ kinh-doanh ",
    ],
)
def test_spelling_with_or_without_diacritics_finds_household_business_first(catalogue, query):
    found = codes(query)
    assert found[0] == catalogue.household_business.code
    assert catalogue.household_change.code in found


def test_d_with_stroke_matches_plain_d(catalogue):
    assert codes("đăng ký kết hôn") == codes("dang ky ket hon") == [catalogue.marriage.code]


def test_words_that_are_not_all_present_do_not_match_when_others_match_all(catalogue):
    found = codes("dang ky ho kinh doanh")
    assert catalogue.marriage.code not in found
    assert catalogue.birth.code not in found


def test_inactive_procedures_are_never_found(catalogue):
    assert catalogue.inactive.code not in codes("dang ky ho kinh doanh theo quy dinh cu")
    assert catalogue.inactive.code not in codes("")


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("làm sổ đỏ", "land_certificate"),
        ("lam so do", "land_certificate"),
        ("giay phep kinh doanh ho ca the", "household_business"),
        ("làm lý lịch tư pháp", "criminal_record"),
    ],
)
def test_aliases_count(catalogue, query, expected):
    assert codes(query)[0] == getattr(catalogue, expected).code


def test_keywords_count(catalogue):
    assert codes("xin phep xay nha") == [catalogue.building_permit.code]
    assert codes("giấy khai sinh cho con")[0] == catalogue.birth.code


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("dang ky ho kinh doamh", "household_business"),  # one wrong letter
        ("dang ky ho kinh danh", "household_business"),  # one missing letter
        ("ly lich tu phpa", "criminal_record"),  # two letters swapped
        ("khia sinh", "birth"),  # a single word, swapped letters
        ("đăng ký kếtt hôn", "marriage"),  # one extra letter
        ("giay phep lai xee", "driving_licence"),
    ],
)
def test_a_typo_in_one_word_still_finds_it(catalogue, query, expected):
    assert codes(query)[0] == getattr(catalogue, expected).code


def test_an_unknown_word_among_known_ones_falls_back_to_all_but_one_word(catalogue):
    found = codes("dang ky ket hon qxqzw")
    assert found == [catalogue.marriage.code]


def test_nothing_found_for_words_that_are_nowhere(catalogue):
    assert codes("qxqzw wqzqx") == []


def test_code_finds_the_procedure(catalogue):
    assert codes("1.001612") == [catalogue.household_business.code]


def test_name_beats_alias_beats_keyword_beats_steps_and_popularity_only_breaks_ties(db):
    in_steps = ProcedureFactory(name="Thủ tục thứ tư", popularity=400)
    StepFactory(procedure=in_steps, text="Nộp tờ khai trình báo ở xã")
    in_keywords = ProcedureFactory(name="Thủ tục thứ ba", keywords="trình báo", popularity=300)
    in_alias = ProcedureFactory(name="Thủ tục thứ hai", popularity=200)
    AliasFactory(procedure=in_alias, phrase="trình báo mất giấy")
    in_name = ProcedureFactory(name="Trình báo mất giấy tờ", popularity=0)
    procedure_refresh_search_text()
    assert codes("trinh bao") == [in_name.code, in_alias.code, in_keywords.code, in_steps.code]


def test_more_popular_first_when_equally_relevant(db):
    rare = ProcedureFactory(name="Cấp bản sao trích lục hộ tịch", popularity=1)
    common = ProcedureFactory(name="Cấp bản sao trích lục khai tử", popularity=99)
    assert codes("cap ban sao trich luc") == [common.code, rare.code]


def test_the_whole_phrase_in_the_name_ranks_first(db):
    scattered = ProcedureFactory(name="Kinh doanh dịch vụ đăng ký cho hộ gia đình", popularity=90)
    phrase = ProcedureFactory(name="Đăng ký hộ gia đình kinh doanh", popularity=1)
    assert codes("dang ky ho gia dinh")[:2] == [phrase.code, scattered.code]


def test_no_query_lists_by_popularity(catalogue):
    found = codes("")
    assert found[0] == catalogue.birth.code
    assert len(found) == Procedure.objects.filter(is_active=True).count()


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"level": "province"}, {"criminal_record", "driving_licence"}),
        ({"sector": "ho-tich"}, {"birth", "marriage"}),
        ({"agency": "UBX-AN"}, {"birth", "marriage"}),
        ({"fully_online": True, "sector": "ho-tich"}, {"birth"}),
        ({"fully_online": False, "sector": "ho-tich"}, {"marriage"}),
    ],
)
def test_filters_narrow_the_list(catalogue, filters, expected):
    assert set(codes("", **filters)) == {getattr(catalogue, name).code for name in expected}


def test_filters_combine_with_the_query(catalogue):
    assert codes("dang ky", level="commune") == [
        catalogue.birth.code,
        catalogue.household_business.code,
        catalogue.marriage.code,
    ]
    assert codes("dang ky", sector="ho-kinh-doanh", level="district") == [
        catalogue.household_business.code,
        catalogue.household_change.code,
    ]


def test_save_keeps_aliases_searchable(catalogue):
    procedure = Procedure.objects.get(pk=catalogue.land_certificate.pk)
    procedure.name = "Cấp Giấy chứng nhận quyền sử dụng đất lần đầu"
    procedure.save()
    assert codes("lam so do") == [procedure.code]


def test_refresh_adds_a_new_alias_and_its_words_to_the_vocabulary(catalogue):
    AliasFactory(procedure=catalogue.marriage, phrase="làm giấy đăng ký kết hôn với người nước ngoài")
    assert codes("nuoc ngoai ket hon") == []
    assert procedure_refresh_search_text(procedure_ids=[catalogue.marriage.pk]) == 1
    assert codes("nuoc ngoai ket hon") == [catalogue.marriage.code]
    assert SearchTerm.objects.filter(word="nuoc").exists()


def test_typo_correction_uses_the_vocabulary(catalogue):
    (word,) = resolve_query_words(["doamh"])
    assert "doanh" in word.alternatives
    (known,) = resolve_query_words(["doanh"])
    assert known.alternatives == ("doanh",)


@pytest.mark.postgres
def test_postgres_fold_function_agrees_with_python():
    samples = [
        "Đăng ký thành lập HỘ KINH DOANH",
        unicodedata.normalize("NFD", "Cấp Phiếu lý lịch tư pháp số 1.001612"),
        "Chứng thực bản sao – từ bản chính (Ữ, ỹ, ặ)",
    ]
    with connection.cursor() as cursor:
        for text in samples:
            cursor.execute("SELECT procedures_fold(%s)", [text])
            assert cursor.fetchone()[0] == fold(text)


@pytest.mark.postgres
def test_postgres_search_uses_the_trigram_index(catalogue):
    queryset = procedure_search(query="ho kinh doanh")
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
        sql, params = queryset.query.sql_with_params()
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "procedure_search_fts" in plan


@pytest.mark.parametrize(
    "query",
    ["dang ky", "dang ky ho kinh doanh", "cap", "giay phep", "dang ky ho kinh doamh", "trinh bao", "xin phep xay nha"],
)
@pytest.mark.parametrize("per_page", [1, 2, 3, 20])
def test_the_first_page_shortcut_gives_the_same_order_as_full_ranking(catalogue, query, per_page):
    ProcedureFactory(name="Đăng ký hộ kinh doanh lưu động", popularity=5)
    ProcedureFactory(name="Cấp giấy phép kinh doanh rượu", popularity=70)
    ProcedureFactory(name="Trình báo mất giấy tờ", popularity=1)
    procedure_refresh_search_text()
    ranked = codes(query)
    page = procedure_search_page(query=query, page=1, per_page=per_page)
    assert [p.code for p in page.object_list] == ranked[:per_page]
    assert page.has_next == (len(ranked) > per_page)
    second = procedure_search_page(query=query, page=2, per_page=per_page)
    assert [p.code for p in second.object_list] == ranked[per_page : 2 * per_page]
