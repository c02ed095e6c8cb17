"""Series as cards in lists: patient, site, diagnoses, consent state and photo count."""

from nicegui import ui

from domain.model import Scope, Series
from domain.overview import SeriesEntry
from domain.taxonomy import Taxonomy
from ui.i18n import _, format_day, ngettext
from ui.labels import active_scopes, body_site_text, diagnosis_texts, procedure_texts


def series_entry_card(taxonomy: Taxonomy, entry: SeriesEntry, *, show_patient: bool = True) -> None:
    series = entry.series
    with (
        ui.card()
        .classes("w-full cursor-pointer hover:bg-slate-100 gap-1 py-3 px-4 series-card")
        .props("flat bordered")
        .on("click", lambda s=series.id: ui.navigate.to(f"/series/{s}"))
    ):
        with ui.row().classes("w-full items-baseline gap-x-4 gap-y-0"):
            if show_patient:
                ui.label(entry.patient.name).classes("font-medium break-words")
            site = ui.label(body_site_text(taxonomy, series)).classes("grow")
            site.classes("text-slate-700" if show_patient else "font-medium")
            if entry.photo_count is not None:
                ui.label(photo_count_text(entry.photo_count)).classes("text-sm text-slate-500")
        for text in diagnosis_texts(taxonomy, series)[:2]:
            ui.label(text).classes("text-sm text-slate-600 break-words")
        with ui.row().classes("w-full items-center gap-2"):
            consent_chips(series)
            ui.space()
            ui.label(format_day(series.created_at.date())).classes("text-xs text-slate-500")


def series_detail_lines(taxonomy: Taxonomy, series: Series) -> None:
    for text in diagnosis_texts(taxonomy, series) + procedure_texts(taxonomy, series):
        ui.label(text).classes("text-sm text-slate-600 break-words")


def consent_chips(series: Series) -> None:
    scopes = active_scopes(series)
    with ui.row().classes("gap-1"):
        if series.is_acute:
            ui.badge(_("Acute: no consent needed yet"), color="amber-2", text_color="amber-10")
        elif series.is_withdrawn:
            ui.badge(_("Consent withdrawn: hidden"), color="red-1", text_color="red-10")
        elif not series.has_consent(Scope.CLINICAL):
            ui.badge(_("No consent recorded"), color="orange-2", text_color="orange-10")
        for label in scopes:
            ui.badge(label, color="teal-1", text_color="teal-10")


def photo_count_text(count: int) -> str:
    return ngettext("%(count)d photo", "%(count)d photos", count) % {"count": count}
