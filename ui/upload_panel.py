"""Adding photos to a series from the browser.

Not ui.upload: it would spool the plaintext photo into a temporary file. The browser posts
each chosen file to the REST API, which encrypts it as it streams in, and reports each
file's outcome back to this page as an event.
"""

import json
from collections.abc import Awaitable, Callable

from nicegui import events, ui

from domain.model import Principal, Series
from domain.taxonomy import Taxonomy, View
from ui.i18n import _, current_language
from ui.session import PageSession

UPLOAD_JS = """(() => {
  // XMLHttpRequest rather than fetch: only it reports how much of an upload has been sent.
  const send = (url, body, onProgress) => new Promise((resolve, reject) => {
    const request = new XMLHttpRequest();
    request.open("POST", url);
    request.withCredentials = true;
    request.setRequestHeader("Accept-Language", document.documentElement.lang || "en");
    request.upload.onprogress = (e) => { if (e.lengthComputable) onProgress(e.loaded / e.total); };
    request.onload = () => resolve({status: request.status, text: request.responseText});
    request.onerror = () => reject(new Error("network"));
    request.send(body);
  });
  const input = getHtmlElement(%(input)s);
  const files = Array.from(input.files || []);
  if (!files.length) { emitEvent(%(event)s, {kind: "none"}); return; }
  (async () => {
    for (const [index, file] of files.entries()) {
      emitEvent(%(event)s, {kind: "file", index, name: file.name, state: "uploading"});
      const body = new FormData();
      body.append("phase", %(phase)s);
      body.append("view", %(view)s);
      body.append("client_id", crypto.randomUUID());
      body.append("captured_at", new Date(file.lastModified).toISOString());
      body.append("file", file);
      let state = "failed", detail = "", shown = -1;
      const progress = (part) => {
        const percent = Math.floor(part * 100);
        if (percent >= shown + 10) {
          shown = percent;
          emitEvent(%(event)s, {kind: "file", index, name: file.name, state: "uploading", percent});
        }
      };
      try {
        const response = await send(%(url)s, body, progress);
        if (response.status === 202 || response.status === 200) { state = "done"; }
        else {
          try { detail = String(JSON.parse(response.text).detail); }
          catch (error) { detail = %(answered)s.replace("%%s", String(response.status)); }
        }
      } catch (error) { detail = %(unreachable)s; }
      emitEvent(%(event)s, {kind: "file", index, name: file.name, state, detail});
    }
    input.value = "";
    emitEvent(%(event)s, {kind: "finished"});
  })();
})()"""


def state_text(state: str) -> str:
    return {
        "uploading": _("uploading…"),
        "done": _("uploaded"),
        "failed": _("not uploaded"),
    }.get(state, state)


def views_for_site(taxonomy: Taxonomy, site_id: str) -> list[View]:
    """Views of the site, its parents or its parts first, then the views for any site."""
    related = set(taxonomy.subtree(site_id))
    site = taxonomy.body_sites.get(site_id)
    while site is not None and site.parent_id:
        related.add(site.parent_id)
        site = taxonomy.body_sites.get(site.parent_id)
    ordered = sorted(taxonomy.views.values(), key=lambda v: v.sort_order)
    specific = [v for v in ordered if related.intersection(v.body_site_ids)]
    generic = [v for v in ordered if "*" in v.body_site_ids]
    return specific + generic or ordered


class UploadPanel:
    def __init__(
        self, session: PageSession, series: Series, on_uploaded: Callable[[], Awaitable[None]]
    ) -> None:
        self.session = session
        self.series = series
        self.on_uploaded = on_uploaded
        self.event = f"sutura_upload_{id(self)}"
        self._rows: dict[int, ui.label] = {}
        self._build()
        ui.on(self.event, self._report)

    def _build(self) -> None:
        taxonomy = self.session.ports.taxonomy
        phases = sorted(taxonomy.phases.values(), key=lambda p: p.sort_order)
        views = views_for_site(taxonomy, self.series.body_site_id)
        with ui.column().classes("w-full gap-2"):
            ui.label(_("Add photos")).classes("font-medium")
            self.files = ui.element("input").classes(
                "w-full text-sm photo-files file:mr-3 file:rounded file:border-0 "
                "file:bg-slate-200 file:px-3 file:py-2 file:text-slate-800"
            )
            self.files.props["type"] = "file"
            self.files.props["accept"] = "image/*,.heic,.heif"
            self.files.props["multiple"] = True
            with ui.row().classes("w-full gap-2"):
                language = current_language()
                self.phase = ui.select(
                    {p.id: p.name(language) for p in phases}, label=_("Phase"), value=phases[0].id
                ).props("outlined dense")
                self.view = ui.select(
                    {v.id: v.name(language) for v in views},
                    label=_("View"),
                    value=views[0].id,
                    with_input=True,
                ).props("outlined dense")
                self.phase.classes("grow min-w-[10rem]")
                self.view.classes("grow min-w-[12rem]")
            self.button = ui.button(
                _("Upload"), icon="upload", on_click=self.session.guarded(self._start)
            )
            self.button.props("unelevated no-caps")
            self.progress = ui.column().classes("w-full gap-0")

    async def _start(self, principal: Principal) -> None:
        self.progress.clear()
        self._rows = {}
        self.button.props("loading")
        ui.run_javascript(
            UPLOAD_JS
            % {
                "input": self.files.id,
                "event": json.dumps(self.event),
                "phase": json.dumps(self.phase.value),
                "view": json.dumps(self.view.value),
                "url": json.dumps(f"/api/v1/series/{self.series.id}/photos"),
                "answered": json.dumps(_("The server answered %s.")),
                "unreachable": json.dumps(_("The server could not be reached.")),
            }
        )

    async def _report(self, event: events.GenericEventArguments) -> None:
        report = event.args if isinstance(event.args, dict) else {}
        kind = report.get("kind")
        if kind == "file":
            self._show_file(report)
        elif kind == "none":
            self.button.props(remove="loading")
            ui.notify(_("Choose one or more photos first."), type="warning")
        elif kind == "finished":
            self.button.props(remove="loading")
            await self.on_uploaded()

    def _show_file(self, report: dict[str, object]) -> None:
        index = int(str(report.get("index", 0)))
        state = str(report.get("state", ""))
        name = report.get("name") or _("Photo")
        text = f"{name}: {state_text(state)}"
        if state == "uploading" and isinstance(report.get("percent"), int):
            text += f" {report['percent']} %"
        if report.get("detail"):
            detail = _(str(report["detail"]))
            text += f" ({detail})"
        if index not in self._rows:
            with self.progress:
                self._rows[index] = ui.label().classes("text-sm break-all upload-outcome")
        self._rows[index].set_text(text)
        color = {"done": "text-positive", "failed": "text-negative"}.get(state, "text-slate-600")
        self._rows[index].classes(replace=f"text-sm break-all upload-outcome {color}")
