"""Words the pages show for taxonomy codes, consent scopes and the like, in the page's language."""

from domain.consent import WithdrawalChannel
from domain.model import ConsentMethod, GivenBy, Patient, Scope, Series, Sex
from domain.taxonomy import Taxonomy
from ui.i18n import _, current_language, format_day


def scope_label(scope: Scope) -> str:
    return {
        Scope.CLINICAL: _("Clinical documentation"),
        Scope.TEACHING: _("Teaching"),
        Scope.RESEARCH: _("Research"),
        Scope.PUBLICATION: _("Publication"),
    }[scope]


def given_by_labels() -> dict[GivenBy, str]:
    return {
        GivenBy.PATIENT: _("The patient"),
        GivenBy.GUARDIAN: _("Parent or guardian"),
        GivenBy.NEXT_OF_KIN: _("Next of kin"),
    }


def method_labels() -> dict[ConsentMethod, str]:
    return {
        ConsentMethod.VERBAL: _("Verbally"),
        ConsentMethod.SIGNED_ON_PAPER: _("Signed on paper"),
        ConsentMethod.SIGNED_ON_SCREEN: _("Signed on screen"),
    }


def channel_labels() -> dict[WithdrawalChannel, str]:
    return {
        WithdrawalChannel.IN_PERSON: _("In person"),
        WithdrawalChannel.PHONE: _("By phone"),
        WithdrawalChannel.EMAIL: _("By email"),
        WithdrawalChannel.LETTER: _("By letter"),
        WithdrawalChannel.DIGITAL_MAIL: _("By digital mail (e-Boks)"),
    }


def side_label(side: str) -> str:
    return {
        "left": _("left"),
        "right": _("right"),
        "bilateral": _("bilateral"),
        "midline": _("midline"),
    }.get(side, side)


def sex_label(sex: Sex | str) -> str:
    return {"female": _("Female"), "male": _("Male")}.get(str(sex), str(sex))


def body_site_name(taxonomy: Taxonomy, site_id: str) -> str:
    site = taxonomy.body_sites.get(site_id)
    return site.name(current_language()) if site else site_id


def body_site_text(taxonomy: Taxonomy, series: Series) -> str:
    """The series' body site in the page's language, with its side."""
    name = body_site_name(taxonomy, series.body_site_id)
    return f"{name}, {side_label(series.side)}" if series.side else name


def diagnosis_texts(taxonomy: Taxonomy, series: Series) -> list[str]:
    language = current_language()
    return [
        f"{code} {found.title(language)}" if (found := taxonomy.diagnoses.get(code)) else code
        for code in series.diagnosis_codes
    ]


def procedure_texts(taxonomy: Taxonomy, series: Series) -> list[str]:
    language = current_language()
    return [
        f"{code} {found.title(language)}" if (found := taxonomy.procedures.get(code)) else code
        for code in series.procedure_codes
    ]


def phase_name(taxonomy: Taxonomy, phase_id: str) -> str:
    phase = taxonomy.phases.get(phase_id)
    return phase.name(current_language()) if phase else phase_id


def view_name(taxonomy: Taxonomy, view_id: str) -> str:
    view = taxonomy.views.get(view_id)
    return view.name(current_language()) if view else view_id


def active_scopes(series: Series) -> list[str]:
    return [scope_label(scope) for scope in Scope if series.has_consent(scope)]


def describe_patient(patient: Patient) -> list[str]:
    """Masked CPR (or the acute label's absence of one), birth date and sex as short texts."""
    if patient.is_acute:
        return [_("Acute patient, not identified")]
    parts = [patient.cpr.masked if patient.cpr else _("No CPR number")]
    if patient.birth_date:
        parts.append(_("Born %(date)s") % {"date": format_day(patient.birth_date)})
    if patient.sex:
        parts.append(sex_label(patient.sex))
    return parts
