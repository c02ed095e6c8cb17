"""The search page: any combination of filters, results as series with thumbnails, paged, and
searches saved for oneself or shared with the cluster.

Filters may arrive in the address (codes, ages, dates: never patient data) or from a saved
search (?saved=ID), so a result page can be bookmarked and shared.
"""

import logging
import time
from html import escape
from uuid import UUID

from nicegui import ui
from starlette.requests import Request
from starlette.responses import RedirectResponse

from domain import search
from domain.errors import InvalidInput
from domain.model import Principal, Scope
from domain.search import SearchFilters, SearchItem, SearchResult
from domain.taxonomy import Taxonomy
from ui.frame import cluster_page, empty_state
from ui.i18n import _, format_count, format_day, ngettext
from ui.labels import body_site_text, diagnosis_texts, scope_label
from ui.search_filters import FilterForm
from ui.series_cards import photo_count_text
from ui.session import PageSession

PAGE_SIZE = 20
# Added to the results column once its results (or "no results", or the empty-state hint) are
# drawn: browser tests and the portal benchmark wait for it.
DRAWN = "search-drawn"

log = logging.getLogger(__name__)


def register() -> None:
    ui.page("/search", title="Sutura")(search_page)


async def search_page(
    request: Request, cluster: str | None = None, saved: str | None = None
) -> RedirectResponse | None:
    pages: list[SearchPage] = []

    async def build(session: PageSession, cluster_id: UUID) -> None:
        pages.append(SearchPage(session, cluster_id))
        await pages[0].build(dict(request.query_params), saved)

    started = time.perf_counter()
    refusal = _("Searching photos is for the cluster's clinicians.")
    answer = await cluster_page(request, cluster, build, clinical_only=refusal)
    # Server time to build the page with its first results (not the filters: they are codes,
    # but a log has no need of them); the portal benchmark reads this line.
    log.info(
        "search page built in %.1f ms (search %.1f ms)",
        (time.perf_counter() - started) * 1000,
        pages[0].search_ms if pages else 0.0,
    )
    return answer


class SearchPage:
    def __init__(self, session: PageSession, cluster_id: UUID) -> None:
        self.session = session
        self.cluster_id = cluster_id
        self.filters = SearchFilters()
        self.page = 1
        self.search_ms = 0.0  # the domain search's time, for the log
        self.results: ui.column
        self.form: FilterForm

    async def build(self, query: dict[str, str], saved_id: str | None) -> None:
        ui.label(_("Search photos")).classes("text-xl font-semibold")
        with ui.element("div").classes("w-full grid grid-cols-1 lg:grid-cols-4 gap-4 items-start"):
            with ui.card().classes("w-full gap-2 lg:col-span-1").props("flat bordered"):
                members = await self.session.ports.accounts.cluster_members(self.cluster_id)
                self.form = FilterForm(self.session, self.cluster_id, members, self._run_new)
            self.results = ui.column().classes("w-full gap-2 lg:col-span-3 min-w-0 search-results")
        await self.session.run(lambda p: self._initial(p, query, saved_id))

    async def _initial(
        self, principal: Principal, query: dict[str, str], saved: str | None
    ) -> None:
        if saved:
            found = await search.get_saved_search(self.session.ports, principal, UUID(saved))
            self.filters = found.filters
        else:
            self.filters = search.filters_from_mapping(query)
        self.form.fill(self.filters)
        await self.form.load_saved(principal)
        if self.filters.is_empty():
            with self.results:
                empty_state(
                    _("Choose one or more filters and press Search."),
                    _("For example a diagnosis group such as C43 and an age range."),
                )
            self.results.classes(add=DRAWN)
            return
        await self._show(principal)

    async def _run_new(self, principal: Principal, filters: SearchFilters) -> None:
        self.filters = filters
        self.page = 1
        await self._show(principal)

    async def _show(self, principal: Principal) -> None:
        if self.filters.is_empty():
            raise InvalidInput("Choose at least one filter.")
        self.results.classes(remove=DRAWN)
        started = time.perf_counter()
        result = await search.search_photos(
            self.session.ports, principal, self.cluster_id, self.filters, self.page, PAGE_SIZE
        )
        self.search_ms = (time.perf_counter() - started) * 1000
        self.results.clear()
        with self.results:
            self._summary(result)
            for item in result.items:
                self._hit(item)
            if result.page_count > 1:
                ui.pagination(
                    1,
                    result.page_count,
                    direction_links=True,
                    value=result.page,
                    on_change=lambda e: self.session.run(lambda p: self._go(p, int(e.value))),
                ).props("max-pages=7 boundary-numbers")
        self.results.classes(add=DRAWN)

    async def _go(self, principal: Principal, page: int) -> None:
        self.page = page
        await self._show(principal)

    def _summary(self, result: SearchResult) -> None:
        if not result.total_series:
            empty_state(
                _("No photos match these filters."),
                _("Remove a filter or widen a range, such as the ages or dates."),
            )
            return
        summary = result_counts(result.total_series, result.total_photos, result.totals_capped)
        ui.label(summary).classes("text-slate-600 search-summary")
        if result.totals_capped:  # lower bounds: counting stopped at PHOTO_COUNT_CAP photos
            ui.label(
                _("More than %(photos)s photos match; narrow the filters for exact totals.")
                % {"photos": format_count(result.total_photos)}
            ).classes("text-xs text-slate-500 search-capped")
        if self.filters.scope and self.filters.scope != Scope.CLINICAL.value:
            ui.label(
                _("Only series with consent for %(scope)s.")
                % {"scope": scope_label(Scope(self.filters.scope)).lower()}
            ).classes("text-xs text-slate-500")

    def _hit(self, item: SearchItem) -> None:
        # One HTML element per hit rather than a dozen NiceGUI elements: a page of 20 hits
        # was most of the page's server time. Every text is escaped here, and the browser
        # sanitises the markup again (DOMPurify) before it is drawn.
        ui.html(hit_markup(self.session.ports.taxonomy, item)).classes("w-full")


def hit_markup(taxonomy: Taxonomy, item: SearchItem) -> str:
    """A search hit as a link to its series: patient, site, count, diagnoses, thumbnails."""
    series, hit = item.series, item.hit
    diagnoses = "".join(
        f'<div class="text-xs text-slate-600 break-words">{escape(text)}</div>'
        for text in diagnosis_texts(taxonomy, series)[:2]
    )
    alt = escape(_("Photo thumbnail"))
    thumbnails = "".join(
        f'<img src="/api/v1/photos/{photo_id}/thumbnail" alt="{alt}" loading="lazy"'
        ' class="w-20 h-20 sm:w-24 sm:h-24 object-cover rounded bg-slate-200 search-thumbnail">'
        for photo_id in hit.photo_ids
    )
    latest = _("Latest %(date)s") % {"date": format_day(search.local_day(hit.last_shot_at))}
    return (
        f'<a href="/series/{series.id}" class="search-hit flex flex-col gap-2 w-full py-2 px-3'
        ' rounded border border-slate-200 bg-white hover:bg-slate-100 no-underline text-inherit">'
        '<div class="flex flex-wrap w-full items-baseline gap-x-4">'
        f'<span class="font-medium break-words">{escape(item.patient.name)}</span>'
        f'<span class="text-slate-700 grow">{escape(body_site_text(taxonomy, series))}</span>'
        f'<span class="text-sm text-slate-500">{escape(photo_count_text(hit.photo_count))}</span>'
        f"</div>{diagnoses}"
        '<div class="flex w-full gap-2 overflow-hidden items-end">'
        f'{thumbnails}<span class="grow"></span>'
        f'<span class="text-xs text-slate-500">{escape(latest)}</span></div></a>'
    )


def result_counts(series: int, photos: int, capped: bool) -> str:
    """Such as 3 series, 12 photos; singular for one, "+" on lower bounds where counting stopped."""
    if capped:
        series_text = ngettext("%(count)s+ series", "%(count)s+ series", series)
        photos_text = ngettext("%(count)s+ photo", "%(count)s+ photos", photos)
    else:
        series_text = ngettext("%(count)s series", "%(count)s series", series)
        photos_text = ngettext("%(count)s photo", "%(count)s photos", photos)
    return _("%(series)s, %(photos)s") % {
        "series": series_text % {"count": format_count(series)},
        "photos": photos_text % {"count": format_count(photos)},
    }
