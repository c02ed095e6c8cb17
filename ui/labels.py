"""Words the pages show for taxonomy codes, consent scopes and the like."""

from domain.model import ConsentMethod, GivenBy, Scope, Series
from domain.taxonomy import Taxonomy

SCOPE_LABELS = {
    Scope.CLINICAL: "Clinical documentation",
    Scope.TEACHING: "Teaching",
    Scope.RESEARCH: "Research",
    Scope.PUBLICATION: "Publication",
}
GIVEN_BY_LABELS = {
    GivenBy.PATIENT: "The patient",
    GivenBy.GUARDIAN: "Parent or guardian",
    GivenBy.NEXT_OF_KIN: "Next of kin",
}
METHOD_LABELS = {
    ConsentMethod.VERBAL: "Verbally",
    ConsentMethod.SIGNED_ON_PAPER: "Signed on paper",
    ConsentMethod.SIGNED_ON_SCREEN: "Signed on screen",
}
SIDE_LABELS = {"left": "left", "right": "right", "bilateral": "bilateral", "midline": "midline"}


def body_site_text(taxonomy: Taxonomy, series: Series) -> str:
    """The Danish name of the series' body site, with its side."""
    site = taxonomy.body_sites.get(series.body_site_id)
    name = site.name_da if site else series.body_site_id
    return f"{name}, {SIDE_LABELS.get(series.side, series.side)}" if series.side else name


def diagnosis_texts(taxonomy: Taxonomy, series: Series) -> list[str]:
    return [
        f"{code} {found.title_da}" if (found := taxonomy.diagnoses.get(code)) else code
        for code in series.diagnosis_codes
    ]


def procedure_texts(taxonomy: Taxonomy, series: Series) -> list[str]:
    return [
        f"{code} {found.title_da}" if (found := taxonomy.procedures.get(code)) else code
        for code in series.procedure_codes
    ]


def active_scopes(series: Series) -> list[str]:
    return [label for scope, label in SCOPE_LABELS.items() if series.has_consent(scope)]
