import csv
from collections.abc import Iterable
from pathlib import Path

import pytest

from domain.errors import InvalidInput
from domain.taxonomy import (
    SIDES,
    BodySite,
    Taxonomy,
    TaxonomyDataError,
    TaxonomyHit,
    View,
    load_taxonomy,
)

DATA = Path(__file__).parents[2] / "domain" / "taxonomy_data"


@pytest.fixture(scope="module")
def taxonomy():
    return load_taxonomy()


def codes(hits: Iterable[TaxonomyHit]) -> list[str]:
    return [hit.code for hit in hits]


def test_counts_match_the_data_readme(taxonomy):
    counts = {
        "body_sites": len(taxonomy.body_sites),
        "diagnoses": len(taxonomy.diagnoses),
        "procedures": len(taxonomy.procedures),
        "phases": len(taxonomy.phases),
        "views": len(taxonomy.views),
    }

    assert counts == {
        "body_sites": 104,
        "diagnoses": 297,
        "procedures": 218,
        "phases": 5,
        "views": 99,
    }
    assert list(taxonomy.phases) == ["pre_op", "per_op", "post_op", "follow_up", "other"]


def test_shipped_diagnoses_have_no_who_title_column():
    with (DATA / "diagnoses.csv").open(encoding="utf-8", newline="") as file:
        header = next(csv.reader(file))

    assert "title_en" not in header
    assert {"title_en_cm", "title_en_gloss_unofficial", "title_da", "icd10_code"} <= set(header)


@pytest.mark.parametrize(
    "who_only_text",
    # WHO long-form neoplasm titles; ICD-10-CM words them differently.
    ["Malignant neoplasm: Malignant melanoma of lip", "Malignant neoplasm:", "title_en,"],
)
def test_no_who_title_text_anywhere_in_the_shipped_data(who_only_text):
    files = sorted(DATA.iterdir())

    found = [f.name for f in files if who_only_text in f.read_text(encoding="utf-8")]

    assert len(files) == 6
    assert found == []


def test_english_title_is_the_icd10cm_title(taxonomy):
    melanoma_of_lip = taxonomy.diagnosis("DC430")

    assert melanoma_of_lip.title("en") == "Malignant melanoma of lip"
    assert melanoma_of_lip.title("da") == "Malignt melanom i hud på læbe"


def test_danish_extension_gets_its_own_unofficial_english_title(taxonomy):
    gynaecomastia = taxonomy.diagnosis("DN629A")

    assert gynaecomastia.title("en") == "Gynaecomastia"
    assert gynaecomastia.icd10_code == "N62"


def test_english_title_falls_back_to_danish_when_no_free_english_title(taxonomy):
    pressure_ulcer = taxonomy.diagnosis("DL891")

    assert pressure_ulcer.title_en is None
    assert pressure_ulcer.title("en") == "Decubitus grad II"


def test_procedure_english_title_is_the_unofficial_gloss(taxonomy):
    excision = taxonomy.procedure("KQAE00")

    assert excision.title("en") == "Excision of skin, head or neck"
    assert excision.title("da") == "Excision af hud på hoved eller hals"


@pytest.mark.parametrize("query", ["c43", "C43", "DC43", "dc43", " C 43 "])
def test_search_finds_diagnoses_by_code_prefix(taxonomy, query):
    hits = taxonomy.search(query, kinds=["diagnosis"])

    assert hits[0].code == "DC430"
    assert {"DC430", "DC431", "DC439", "DC439X"} <= set(codes(hits))
    assert all(code.startswith("DC43") for code in codes(hits))


@pytest.mark.parametrize("query", ["C43.0", "c43.0", "C430", "DC430", "dc430"])
def test_search_finds_diagnoses_by_full_code_with_or_without_dots(taxonomy, query):
    hits = taxonomy.search(query, kinds=["diagnosis"])

    assert codes(hits) == ["DC430"]


def test_search_by_who_code_finds_the_danish_extensions(taxonomy):
    hits = taxonomy.search("N62", kinds=["diagnosis"])

    assert {"DN629", "DN629A", "DN629D", "DN629E"} <= set(codes(hits))


def test_exact_code_ranks_before_code_prefix(taxonomy):
    hits = taxonomy.search("KQAE10")

    assert codes(hits)[:2] == ["KQAE10", "KQAE10A"]


def test_search_finds_procedures_by_code_without_the_k(taxonomy):
    hits = taxonomy.search("qae00")

    assert codes(hits)[0] == "KQAE00"


@pytest.mark.parametrize("query", ["læbe", "laebe", "LÆBE", "Læbe"])
def test_search_finds_danish_words_with_and_without_danish_letters(taxonomy, query):
    hits = taxonomy.search(query, kinds=["diagnosis"], limit=50)

    assert "DC430" in codes(hits)


def test_search_folds_single_letter_spelling_of_danish_letters(taxonomy):
    hits = taxonomy.search("ojenlag", kinds=["body_site"])

    assert set(codes(hits)) == {"upper_eyelid", "lower_eyelid"}


def test_search_finds_english_words_and_labels_in_the_requested_language(taxonomy):
    hits = taxonomy.search("melanoma lip", kinds=["diagnosis"], language="da")
    english = taxonomy.search("melanoma lip", kinds=["diagnosis"], language="en")

    assert hits[0].code == "DC430"
    assert hits[0].label == "Malignt melanom i hud på læbe"
    assert english[0].label == "Malignant melanoma of lip"


def test_search_ranks_exact_code_then_code_prefix_then_title_word_then_substring(taxonomy):
    hits = taxonomy.search("hand", limit=500)

    position = {hit.code: index for index, hit in enumerate(hits)}
    # DT230 has the word "hånd"; DZ420 only contains "hand" inside "efterbehandling".
    assert position["hand"] == 0
    assert position["hand_dorsal"] < position["DT230"] < position["DZ420"]


def test_search_respects_kinds_and_limit(taxonomy):
    hits = taxonomy.search("melanom", kinds=["body_site", "procedure"], limit=3)

    assert all(hit.kind in {"body_site", "procedure"} for hit in hits)
    assert len(taxonomy.search("d", limit=3)) == 3
    assert taxonomy.search("   ") == []


def test_search_refuses_unknown_kinds(taxonomy):
    with pytest.raises(InvalidInput) as error:
        taxonomy.search("hand", kinds=["organ"])

    assert error.value.field == "kinds"


def test_sided_site_needs_a_side(taxonomy):
    breast = taxonomy.body_site("breast")

    with pytest.raises(InvalidInput, match="needs a side") as error:
        taxonomy.check_side(breast, None)

    assert breast.has_sides
    assert error.value.field == "side"
    assert taxonomy.check_side(breast, "left") == "left"
    assert taxonomy.check_side(breast, "bilateral") == "bilateral"


def test_sided_site_refuses_midline(taxonomy):
    with pytest.raises(InvalidInput):
        taxonomy.check_side(taxonomy.body_site("breast"), "midline")


def test_unsided_site_refuses_left_and_right(taxonomy):
    nose = taxonomy.body_site("nose")

    with pytest.raises(InvalidInput) as error:
        taxonomy.check_side(nose, "right")

    assert not nose.has_sides
    assert error.value.field == "side"
    assert taxonomy.check_side(nose, None) is None
    assert taxonomy.check_side(nose, "midline") == "midline"
    assert "midline" in SIDES


def test_supplementary_procedure_alone_is_refused(taxonomy):
    with pytest.raises(InvalidInput, match="KZZQ00") as error:
        taxonomy.check_procedures(["KZZQ00"])

    assert error.value.field == "procedures"


def test_supplementary_procedure_with_a_main_code_is_accepted(taxonomy):
    found = taxonomy.check_procedures(["kzzq00", "KQAE00", "KQAE00"])

    assert [p.code for p in found] == ["KZZQ00", "KQAE00"]
    assert found[0].is_supplementary
    assert taxonomy.check_procedures([]) == ()


def test_subtree_includes_grandchildren(taxonomy):
    grandchildren = [
        site.id
        for site in taxonomy.body_sites.values()
        if site.parent_id and taxonomy.body_sites[site.parent_id].parent_id == "head"
    ]

    subtree = taxonomy.subtree("head")

    assert grandchildren
    assert {"head", "face", *grandchildren} <= subtree
    assert "breast" not in subtree
    assert taxonomy.subtree("nose") >= {"nose"}


@pytest.mark.parametrize(
    ("look_up", "bad", "field"),
    [
        ("body_site", "tail", "body_site"),
        ("diagnosis", "DX999", "diagnoses"),
        ("procedure", "KXX00", "procedures"),
        ("phase", "someday", "phase"),
        ("view", "aerial", "view"),
    ],
)
def test_unknown_codes_name_the_code_and_field(taxonomy, look_up, bad, field):
    with pytest.raises(InvalidInput) as error:
        getattr(taxonomy, look_up)(bad)

    assert bad.upper() in error.value.message.upper()
    assert error.value.field == field


def test_diagnosis_lookup_accepts_lower_case_and_spaces(taxonomy):
    assert taxonomy.diagnosis("  dh028b ").code == "DH028B"


def test_every_view_points_at_known_body_sites(taxonomy):
    for view in taxonomy.views.values():
        assert view.body_site_ids == ("*",) or set(view.body_site_ids) <= set(taxonomy.body_sites)


def test_as_dict_lists_everything_in_one_language(taxonomy):
    english = taxonomy.as_dict("en")
    danish = taxonomy.as_dict("da")

    assert len(english["body_sites"]) == 104
    assert len(english["diagnoses"]) == 297
    assert len(english["procedures"]) == 218
    assert len(english["phases"]) == 5
    assert len(english["views"]) == 99
    lip = next(d for d in english["diagnoses"] if d["code"] == "DC430")
    assert lip["title"] == "Malignant melanoma of lip"
    face = next(s for s in danish["body_sites"] if s["id"] == "face")
    assert face == {
        "id": "face",
        "parent_id": "head",
        "level": 2,
        "sort_order": 4,
        "name": "Ansigt",
        "has_sides": False,
        "view": "front",
    }
    assert any("Source: CDC" in notice for notice in english["notices"])


def test_load_taxonomy_is_cached():
    assert load_taxonomy() is load_taxonomy()


def site(site_id: str, parent_id: str | None = None, level: int = 1) -> BodySite:
    return BodySite(site_id, parent_id, level, 1, site_id, site_id, False, "front")


def view(view_id: str, *site_ids: str) -> View:
    return View(view_id, "any", 1, view_id, view_id, site_ids)


@pytest.mark.parametrize(
    ("sites", "views", "complaint"),
    [
        ([site("arm"), site("arm")], [], "Duplicate body site 'arm'"),
        ([site("hand", "arm", 2)], [], "unknown parent 'arm'"),
        ([site("arm"), site("hand", "arm", 3)], [], "level does not match"),
        ([site("arm")], [view("close_up", "leg")], "unknown body sites \\['leg'\\]"),
    ],
)
def test_inconsistent_data_is_refused_with_a_clear_error(sites, views, complaint):
    with pytest.raises(TaxonomyDataError, match=complaint):
        Taxonomy(sites, [], [], [], views)
