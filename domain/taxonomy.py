"""The fixed vocabularies: body sites, diagnoses, procedures, phases and views.

The data lives in taxonomy_data/ (see its README for sources and licences) and is read once
by `load_taxonomy()`. Lookups raise `InvalidInput` naming the field and the bad value, so an
API route or a page can show the message as it is.

English titles follow the licence decision in taxonomy_data/README.md: ICD-10-CM titles
(public domain) or the compiler's unofficial glosses, never the WHO ICD-10 English titles.
"""

import csv
import functools
import io
import re
import unicodedata
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from types import MappingProxyType
from typing import Literal, TypeVar

from domain.errors import InvalidInput

Language = Literal["da", "en"]
HitKind = Literal["body_site", "diagnosis", "procedure", "view"]

SIDES = ("left", "right", "bilateral", "midline")
HIT_KINDS: tuple[HitKind, ...] = ("body_site", "diagnosis", "procedure", "view")

_PAIRED_SIDES = ("left", "right", "bilateral")
_UNPAIRED_SIDES = ("midline",)
_BODY_MAP_VIEWS = ("front", "back", "both")
_ANY_SITE = "*"

_T = TypeVar("_T")


@dataclass(frozen=True)
class BodySite:
    id: str
    parent_id: str | None
    level: int
    sort_order: int
    name_en: str
    name_da: str
    has_sides: bool
    view: str

    def name(self, language: Language) -> str:
        return self.name_da if language == "da" else self.name_en


@dataclass(frozen=True)
class Diagnosis:
    code: str
    icd10_code: str
    title_da: str
    title_en: str | None
    group: str

    def title(self, language: Language) -> str:
        return self.title_da if language == "da" else self.title_en or self.title_da


@dataclass(frozen=True)
class Procedure:
    code: str
    title_da: str
    title_en: str | None
    category: str
    is_supplementary: bool

    def title(self, language: Language) -> str:
        return self.title_da if language == "da" else self.title_en or self.title_da


@dataclass(frozen=True)
class Phase:
    id: str
    sort_order: int
    name_en: str
    name_da: str

    def name(self, language: Language) -> str:
        return self.name_da if language == "da" else self.name_en


@dataclass(frozen=True)
class View:
    id: str
    region: str
    sort_order: int
    name_en: str
    name_da: str
    body_site_ids: tuple[str, ...]

    def name(self, language: Language) -> str:
        return self.name_da if language == "da" else self.name_en


@dataclass(frozen=True)
class TaxonomyHit:
    kind: HitKind
    code: str
    label: str


class TaxonomyDataError(Exception):
    """The shipped taxonomy files are missing, malformed or inconsistent (a build fault)."""


@dataclass(frozen=True)
class _SearchEntry:
    kind: HitKind
    code: str
    code_keys: tuple[str, ...]
    words: tuple[tuple[str, ...], ...]  # one tuple of words per folding
    texts: tuple[str, ...]  # the whole folded text, one per folding
    labels: Mapping[Language, str]


def _fold(text: str, *, digraphs: bool) -> str:
    """Lower-case, strip accents and spell æ/ø/å as ae/oe/aa (digraphs) or ae/o/a."""
    text = text.casefold().replace("æ", "ae")
    text = text.replace("ø", "oe" if digraphs else "o").replace("å", "aa" if digraphs else "a")
    # Dropping what is not ASCII after decomposing removes accents, and only [a-z0-9] counts.
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")


_FOLDINGS = (True, False)
_WORD = re.compile(r"[a-z0-9]+")


def _code_key(text: str) -> str:
    return re.sub(r"[\s.]", "", text).upper()


def _search_entry(kind: HitKind, code: str, keys: Iterable[str], da: str, en: str) -> _SearchEntry:
    texts = tuple(_fold(f"{da} {en}", digraphs=digraphs) for digraphs in _FOLDINGS)
    return _SearchEntry(
        kind=kind,
        code=code,
        code_keys=tuple(dict.fromkeys(_code_key(key) for key in keys)),
        words=tuple(tuple(_WORD.findall(text)) for text in texts),
        texts=texts,
        labels=MappingProxyType({"da": da, "en": en}),
    )


def _rank(entry: _SearchEntry, code_query: str, tokens: tuple[tuple[str, ...], ...]) -> int | None:
    """0 exact code, 1 code prefix, 2 every word starts a title word, 3 substring, None no match."""
    if code_query in entry.code_keys:
        return 0
    if code_query and any(key.startswith(code_query) for key in entry.code_keys):
        return 1
    if any(
        query_words and all(any(word.startswith(q) for word in words) for q in query_words)
        for query_words, words in zip(tokens, entry.words, strict=True)
    ):
        return 2
    if any(
        query_words and all(q in text for q in query_words)
        for query_words, text in zip(tokens, entry.texts, strict=True)
    ):
        return 3
    return None


def _shown(value: str) -> str:
    """The user's input as quoted in an error message, cut short."""
    return repr(value[:40] + "…" if len(value) > 40 else value)


class Taxonomy:
    """The loaded vocabularies with lookups that validate user input."""

    def __init__(
        self,
        body_sites: Iterable[BodySite],
        diagnoses: Iterable[Diagnosis],
        procedures: Iterable[Procedure],
        phases: Iterable[Phase],
        views: Iterable[View],
    ) -> None:
        self.body_sites: Mapping[str, BodySite] = _by_key(body_sites, lambda s: s.id, "body site")
        self.diagnoses: Mapping[str, Diagnosis] = _by_key(diagnoses, lambda d: d.code, "diagnosis")
        self.procedures: Mapping[str, Procedure] = _by_key(
            procedures, lambda p: p.code, "procedure"
        )
        self.phases: Mapping[str, Phase] = _by_key(phases, lambda p: p.id, "phase")
        self.views: Mapping[str, View] = _by_key(views, lambda v: v.id, "view")
        _check_references(self.body_sites, self.views)
        self._children = _children_of(self.body_sites.values())
        self._index = self._build_index()

    def body_site(self, site_id: str) -> BodySite:
        return _look_up(self.body_sites, site_id.strip().lower(), "body site", "body_site")

    def diagnosis(self, code: str) -> Diagnosis:
        return _look_up(self.diagnoses, code.strip().upper(), "diagnosis code", "diagnoses")

    def procedure(self, code: str) -> Procedure:
        return _look_up(self.procedures, code.strip().upper(), "procedure code", "procedures")

    def phase(self, phase_id: str) -> Phase:
        return _look_up(self.phases, phase_id.strip().lower(), "phase", "phase")

    def view(self, view_id: str) -> View:
        return _look_up(self.views, view_id.strip().lower(), "view", "view")

    def check_side(self, site: BodySite, side: str | None) -> str | None:
        """Return the side to store for this site, or raise InvalidInput(field="side")."""
        side = (side or "").strip().lower() or None
        if site.has_sides and side in _PAIRED_SIDES:
            return side
        if site.has_sides:
            raise InvalidInput(
                f"{site.name_en} needs a side: left, right or bilateral.", field="side"
            )
        if side is None or side in _UNPAIRED_SIDES:
            return side
        raise InvalidInput(
            f"{site.name_en} has no sides; leave the side empty or choose midline.", field="side"
        )

    def check_procedures(self, codes: Sequence[str]) -> tuple[Procedure, ...]:
        """Look up the codes (duplicates dropped); supplementary codes need a main code."""
        found = tuple(dict.fromkeys(self.procedure(code) for code in codes))
        if found and all(procedure.is_supplementary for procedure in found):
            listed = ", ".join(procedure.code for procedure in found)
            raise InvalidInput(
                f"Supplementary procedure codes ({listed}) need a main procedure code as well.",
                field="procedures",
            )
        return found

    def subtree(self, site_id: str) -> frozenset[str]:
        """The site and all the sites below it."""
        pending = [self.body_site(site_id).id]
        found: set[str] = set()
        while pending:
            current = pending.pop()
            found.add(current)
            pending.extend(self._children.get(current, ()))
        return frozenset(found)

    def search(
        self,
        query: str,
        *,
        kinds: Collection[str] | None = None,
        language: Language = "da",
        limit: int = 20,
    ) -> list[TaxonomyHit]:
        """Codes by prefix, then titles by word in Danish and English; best matches first."""
        wanted = _wanted_kinds(kinds)
        code_query = _code_key(query)
        tokens = tuple(tuple(_WORD.findall(_fold(query, digraphs=d))) for d in _FOLDINGS)
        ranked: list[tuple[int, int, _SearchEntry]] = []
        for position, entry in enumerate(self._index):
            rank = _rank(entry, code_query, tokens) if entry.kind in wanted else None
            if rank is not None:
                ranked.append((rank, position, entry))

        ranked.sort(key=lambda item: item[:2])
        return [
            TaxonomyHit(kind=entry.kind, code=entry.code, label=entry.labels[language])
            for _, _, entry in ranked[: max(limit, 0)]
        ]

    def as_dict(self, language: Language) -> dict[str, object]:
        """Everything a client needs for its pick-lists, titles in the given language."""
        return {
            "language": language,
            "sides": list(SIDES),
            "body_sites": [_body_site_dict(site, language) for site in self.body_sites.values()],
            "diagnoses": [_diagnosis_dict(d, language) for d in self.diagnoses.values()],
            "procedures": [_procedure_dict(p, language) for p in self.procedures.values()],
            "phases": [
                {"id": p.id, "sort_order": p.sort_order, "name": p.name(language)}
                for p in self.phases.values()
            ],
            "views": [_view_dict(view, language) for view in self.views.values()],
            "notices": list(_NOTICES[language]),
        }

    def _build_index(self) -> tuple[_SearchEntry, ...]:
        sites = (
            _search_entry("body_site", s.id, [s.id], s.name_da, s.name_en)
            for s in self.body_sites.values()
        )
        diagnoses = (
            _search_entry(
                "diagnosis", d.code, [d.code, d.code[1:], d.icd10_code], d.title_da, d.title("en")
            )
            for d in self.diagnoses.values()
        )
        procedures = (
            _search_entry("procedure", p.code, [p.code, p.code[1:]], p.title_da, p.title("en"))
            for p in self.procedures.values()
        )
        views = (
            _search_entry("view", v.id, [v.id], v.name_da, v.name_en) for v in self.views.values()
        )
        return (*sites, *diagnoses, *procedures, *views)


_NOTICES: Mapping[Language, tuple[str, ...]] = {
    "da": ("Danske diagnose- og operationstitler: SKS (Sundhedsdatastyrelsen).",),
    "en": (
        "English diagnosis titles: ICD-10-CM. Source: CDC. CDC does not endorse this product.",
        "English titles of Danish code extensions and all procedures are unofficial translations.",
    ),
}


def _by_key(items: Iterable[_T], key: Callable[[_T], str], what: str) -> Mapping[str, _T]:
    result: dict[str, _T] = {}
    for item in items:
        if key(item) in result:
            raise TaxonomyDataError(f"Duplicate {what} {key(item)!r}")
        result[key(item)] = item
    return MappingProxyType(result)


def _look_up(items: Mapping[str, _T], key: str, what: str, field: str) -> _T:
    found = items.get(key)
    if found is None:
        raise InvalidInput(f"Unknown {what}: {_shown(key)}", field=field)
    return found


def _check_references(sites: Mapping[str, BodySite], views: Mapping[str, View]) -> None:
    for site in sites.values():
        parent = sites.get(site.parent_id) if site.parent_id else None
        if site.parent_id and parent is None:
            raise TaxonomyDataError(f"Body site {site.id!r}: unknown parent {site.parent_id!r}")
        if site.level != (parent.level + 1 if parent else 1):
            raise TaxonomyDataError(f"Body site {site.id!r}: level does not match its parent")
    for view in views.values():
        if view.body_site_ids == (_ANY_SITE,):
            continue
        unknown = [site_id for site_id in view.body_site_ids if site_id not in sites]
        if unknown or not view.body_site_ids:
            raise TaxonomyDataError(f"View {view.id!r}: unknown body sites {unknown!r}")


def _children_of(sites: Iterable[BodySite]) -> Mapping[str, tuple[str, ...]]:
    children: dict[str, list[str]] = {}
    for site in sites:
        if site.parent_id:
            children.setdefault(site.parent_id, []).append(site.id)
    return {parent: tuple(ids) for parent, ids in children.items()}


def _wanted_kinds(kinds: Collection[str] | None) -> frozenset[str]:
    if kinds is None:
        return frozenset(HIT_KINDS)
    unknown = sorted(set(kinds) - set(HIT_KINDS))
    if unknown:
        raise InvalidInput(f"Unknown search kinds: {', '.join(unknown)}", field="kinds")
    return frozenset(kinds)


def _body_site_dict(site: BodySite, language: Language) -> dict[str, object]:
    return {
        "id": site.id,
        "parent_id": site.parent_id,
        "level": site.level,
        "sort_order": site.sort_order,
        "name": site.name(language),
        "has_sides": site.has_sides,
        "view": site.view,
    }


def _diagnosis_dict(diagnosis: Diagnosis, language: Language) -> dict[str, object]:
    return {
        "code": diagnosis.code,
        "icd10_code": diagnosis.icd10_code,
        "title": diagnosis.title(language),
        "group": diagnosis.group,
    }


def _procedure_dict(procedure: Procedure, language: Language) -> dict[str, object]:
    return {
        "code": procedure.code,
        "title": procedure.title(language),
        "category": procedure.category,
        "is_supplementary": procedure.is_supplementary,
    }


def _view_dict(view: View, language: Language) -> dict[str, object]:
    return {
        "id": view.id,
        "region": view.region,
        "sort_order": view.sort_order,
        "name": view.name(language),
        "body_site_ids": list(view.body_site_ids),
    }


# Loading: one reader per file; each checks its columns and converts rows to dataclasses.

_Row = dict[str, str]


def _read_rows(file_name: str, columns: Collection[str]) -> list[_Row]:
    text = resources.files(__package__).joinpath("taxonomy_data", file_name).read_text("utf-8")
    reader = csv.DictReader(io.StringIO(text, newline=""))
    missing = set(columns) - set(reader.fieldnames or ())
    if missing:
        raise TaxonomyDataError(f"{file_name}: missing columns {sorted(missing)}")
    # Licence guard: the WHO English titles must never ship (taxonomy_data/README.md).
    if "title_en" in (reader.fieldnames or ()):
        raise TaxonomyDataError(f"{file_name}: the WHO title_en column must not be shipped")
    return list(reader)


def _number(row: _Row, column: str, file_name: str) -> int:
    value = row[column]
    if not value.isdigit():
        raise TaxonomyDataError(f"{file_name}: {column} {value!r} is not a whole number")
    return int(value)


def _choice(row: _Row, column: str, allowed: Collection[str], file_name: str) -> str:
    value = row[column]
    if value not in allowed:
        raise TaxonomyDataError(f"{file_name}: {column} {value!r} is not one of {allowed}")
    return value


def _load_body_sites() -> list[BodySite]:
    name = "body_locations.csv"
    columns = ("id", "parent_id", "level", "sort_order", "name_en", "name_da", "side_applicable")
    rows = _read_rows(name, (*columns, "view"))
    return [
        BodySite(
            id=row["id"],
            parent_id=row["parent_id"] or None,
            level=_number(row, "level", name),
            sort_order=_number(row, "sort_order", name),
            name_en=row["name_en"],
            name_da=row["name_da"],
            has_sides=_choice(row, "side_applicable", ("yes", "no"), name) == "yes",
            view=_choice(row, "view", _BODY_MAP_VIEWS, name),
        )
        for row in rows
    ]


def _english_diagnosis_title(row: _Row, file_name: str) -> str | None:
    """ICD-10-CM title, or the compiler's gloss; Danish extensions prefer the gloss."""
    # For a Danish extension the CM title is that of the WHO parent code, so it would give
    # several codes the same, vaguer English title; the gloss names the extension itself.
    preferred = ("title_en_cm", "title_en_gloss_unofficial")
    if _choice(row, "code_level", ("who", "dk_extension"), file_name) == "dk_extension":
        preferred = preferred[::-1]
    return next((row[column] for column in preferred if row[column]), None)


def _load_diagnoses() -> list[Diagnosis]:
    name = "diagnoses.csv"
    columns = ("sks_code", "icd10_code", "code_level", "title_da", "group")
    rows = _read_rows(name, (*columns, "title_en_cm", "title_en_gloss_unofficial"))
    return [
        Diagnosis(
            code=row["sks_code"],
            icd10_code=row["icd10_code"],
            title_da=row["title_da"],
            title_en=_english_diagnosis_title(row, name),
            group=row["group"],
        )
        for row in rows
    ]


def _is_supplementary(row: _Row) -> bool:
    """SKS supplementary codes (tillægskoder) start with KZ; code_type must agree."""
    is_supplementary = row["sks_code"].startswith("KZ")
    if is_supplementary != row["code_type"].startswith("supplementary"):
        raise TaxonomyDataError(f"procedures.csv: {row['sks_code']!r} disagrees with code_type")
    return is_supplementary


def _load_procedures() -> list[Procedure]:
    columns = ("sks_code", "code_type", "title_da", "title_en_gloss_unofficial", "category")
    return [
        Procedure(
            code=row["sks_code"],
            title_da=row["title_da"],
            title_en=row["title_en_gloss_unofficial"] or None,
            category=row["category"],
            is_supplementary=_is_supplementary(row),
        )
        for row in _read_rows("procedures.csv", columns)
    ]


def _load_phases() -> list[Phase]:
    name = "phases.csv"
    return [
        Phase(
            id=row["id"],
            sort_order=_number(row, "sort_order", name),
            name_en=row["name_en"],
            name_da=row["name_da"],
        )
        for row in _read_rows(name, ("id", "sort_order", "name_en", "name_da"))
    ]


def _load_views() -> list[View]:
    name = "views.csv"
    columns = ("id", "region", "sort_order", "name_en", "name_da", "body_location_ids")
    return [
        View(
            id=row["id"],
            region=row["region"],
            sort_order=_number(row, "sort_order", name),
            name_en=row["name_en"],
            name_da=row["name_da"],
            body_site_ids=tuple(filter(None, row["body_location_ids"].split(";"))),
        )
        for row in _read_rows(name, columns)
    ]


@functools.cache
def load_taxonomy() -> Taxonomy:
    """Read and check the shipped files once; raises TaxonomyDataError if they disagree."""
    return Taxonomy(
        body_sites=_load_body_sites(),
        diagnoses=_load_diagnoses(),
        procedures=_load_procedures(),
        phases=_load_phases(),
        views=_load_views(),
    )
