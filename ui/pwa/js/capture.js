// Start capture: patient, series (body map and taxonomy), consent, then the camera.

import { api } from "./api.js";
import { bodyMap, sideName } from "./bodymap.js";
import { hasCameraApi, openCamera } from "./camera.js";
import {
  cachedPatients, checkCpr, createAcutePatient, createPatient, createSeries, recordConsent, searchCodes,
} from "./data.js";
import { button, field, h, header, notice, show } from "./dom.js";
import { _, currentLanguage } from "./i18n.js";
import { LOCAL } from "./outbox.js";
import { importTransportKey } from "./seal.js";
import { grabStill, keepStill, startShutterWorker } from "./shutter.js";
import { kv } from "./store.js";

const flow = { capturing: false };

export function isCapturing() { return flow.capturing; }

export async function startCapture(context) {
  Object.assign(flow, context, { taxonomy: await kv.get("taxonomy") });
  pickPatient();
}

// The taxonomy in the app's language (both languages are kept: search finds either).
function terms() {
  return flow.taxonomy[currentLanguage()];
}

// Body site names in the other language, shown in brackets beside the chosen one.
function otherSiteNames() {
  const other = flow.taxonomy[currentLanguage() === "da" ? "en" : "da"];
  return Object.fromEntries(other.body_sites.map((s) => [s.id, s.name]));
}

function siteName(id) {
  const site = terms().body_sites.find((s) => s.id === id);
  return site ? site.name : id;
}

function seriesLabel(s) {
  const side = s.side ? `, ${sideName(s.side)}` : "";
  return `${siteName(s.body_site)}${side} · ${s.diagnoses.join(", ")}`;
}

// --- patient --------------------------------------------------------------------------

async function pickPatient() {
  const list = h("ul", { class: "list", id: "patients" });
  const render = (patients) => list.replaceChildren(...patients.map((p) => h("li", {},
    h("button", { type: "button", class: "row", on: { click: () => pickSeries(p) } },
      h("strong", { text: p.name }), h("span", { class: "muted", text: p.cpr_masked || _("no CPR") })))));
  render(await cachedPatients());
  const search = h("input", { type: "search", id: "patient-search", placeholder: _("Name or CPR number"),
    "aria-label": _("Search patients"), autocomplete: "off" });
  search.addEventListener("input", () => findPatients(search.value, render));
  show(header(_("Patient"), flow.home),
    button(_("Acute patient (unidentified)"), async () => pickSeries(await createAcutePatient(flow.clusterId)),
      "danger big", { id: "acute-patient" }),
    search,
    h("h2", { text: _("Recent patients") }), list,
    button(_("New patient"), newPatient, "secondary", { id: "new-patient" }));
}

async function findPatients(query, render) {
  const text = query.trim();
  const cached = await cachedPatients();
  if (!text) return render(cached);
  const local = cached.filter((p) => p.name.toLowerCase().includes(text.toLowerCase()));
  render(local);
  if (text.length < 2 || !navigator.onLine) return;
  try {
    const found = await api("GET", `/patients?cluster_id=${flow.clusterId}&q=${encodeURIComponent(text)}`);
    const detailed = found.map((p) => ({ ...p, series: null }));
    render([...local, ...detailed.filter((p) => !local.some((l) => l.id === p.id))]);
  } catch { /* the cached answer stays */ }
}

function newPatient() {
  const name = h("input", { id: "patient-name", autocomplete: "off", required: true });
  const cpr = h("input", { id: "patient-cpr", inputmode: "numeric", autocomplete: "off", required: true,
    placeholder: _("DDMMYY-XXXX") });
  const submit = async (event) => {
    event.preventDefault();
    const problem = !name.value.trim() ? _("The name is required.") : checkCpr(cpr.value);
    if (problem) return notice(problem, "error");
    try {
      pickSeries(await createPatient(flow.clusterId, name.value, cpr.value));
      notice("");
    } catch (error) {
      notice(error.message, "error");
    }
  };
  show(header(_("New patient"), pickPatient),
    h("form", { class: "card", on: { submit } }, field(_("Name"), name), field(_("CPR number"), cpr),
      h("button", { type: "submit", class: "btn primary", text: _("Create patient") })));
}

// --- series ---------------------------------------------------------------------------

async function pickSeries(patient) {
  notice("");
  if (patient.series === null) {  // found by a search: fetch its series
    const full = await api("GET", `/patients/${patient.id}`);
    patient = { id: full.id, name: full.name, cpr_masked: full.cpr_masked, series: full.series };
  }
  flow.patient = patient;
  const rows = patient.series.map((s) => h("li", {},
    h("button", { type: "button", class: "row", on: { click: () => openSeries(s) } },
      h("strong", { text: seriesLabel(s) }), h("span", { class: "muted", text: s.accepts_photos ? _("consent given") : _("needs consent") }))));
  show(header(patient.name, pickPatient),
    h("p", { class: "muted", text: patient.cpr_masked || _("Acute patient, no CPR yet") }),
    h("h2", { text: _("Series") }),
    rows.length ? h("ul", { class: "list" }, rows) : h("p", { class: "muted", text: _("No series yet.") }),
    button(_("New series"), newSeries, "primary", { id: "new-series" }));
}

function newSeries() {
  const names = Object.fromEntries(terms().body_sites.map((s) => [s.id, s.name]));
  show(header(_("Where is it?"), () => pickSeries(flow.patient)),
    h("p", { class: "muted", text: _("Tap the region on the body, front or back.") }),
    bodyMap(names, (region, view, side) => refineSite(region, view, side)),
    button(_("Whole body / several regions"), () => refineSite("whole_body", "both", null), "secondary"));
}

function descendants(region) {
  const sites = terms().body_sites;
  const ids = new Set([region]);
  for (const site of sites) if (ids.has(site.parent_id)) ids.add(site.id);
  return sites.filter((s) => ids.has(s.id));
}

function refineSite(region, view, side) {
  const choices = descendants(region).filter((s) => s.view === "both" || s.view === view || s.id === region);
  const other = otherSiteNames();
  const site = h("select", { id: "body-site", "aria-label": _("Body site") },
    choices.map((s) => h("option", { value: s.id, text: `${"  ".repeat(s.level - 1)}${s.name} (${other[s.id]})` })));
  const sideSelect = h("select", { id: "side", "aria-label": _("Side") },
    h("option", { value: "", text: _("No side") }),
    terms().sides.map((s) => h("option", { value: s, text: sideName(s), selected: s === side })));
  const picked = { diagnoses: new Map(), procedures: new Map() };
  const submit = async (event) => {
    event.preventDefault();
    if (!picked.diagnoses.size) return notice(_("Pick at least one diagnosis."), "error");
    const body = { body_site: site.value, side: sideSelect.value || null,
      diagnoses: [...picked.diagnoses.keys()], procedures: [...picked.procedures.keys()] };
    try {
      openSeries(await createSeries(flow.patient.id, body));
    } catch (error) {
      notice(error.message, "error");
    }
  };
  show(header(_("New series"), newSeries),
    h("form", { class: "card", on: { submit } },
      field(_("Body site"), site), field(_("Side"), sideSelect),
      codePicker("diagnoses", _("Diagnoses"), picked.diagnoses),
      codePicker("procedures", _("Procedures (optional)"), picked.procedures),
      h("button", { type: "submit", class: "btn primary", id: "create-series", text: _("Create series") })));
}

function codePicker(kind, label, chosen) {
  const chips = h("div", { class: "chips" });
  const hits = h("ul", { class: "hits", id: `${kind}-hits` });
  const input = h("input", { type: "search", id: `${kind}-search`, autocomplete: "off",
    placeholder: _("Type Danish, English or a code") });
  const renderChips = () => chips.replaceChildren(...[...chosen].map(([code, title]) =>
    button(`${code} ${title} ✕`, () => { chosen.delete(code); renderChips(); }, "chip")));
  input.addEventListener("input", () => {
    const found = searchCodes(flow.taxonomy, kind, input.value, currentLanguage());
    hits.replaceChildren(...found.map((hit) => h("li", {},
      h("button", { type: "button", class: "hit", on: { click: () => {
        chosen.set(hit.code, hit.title); input.value = ""; hits.replaceChildren(); renderChips();
      } } }, h("strong", { text: hit.code }), ` ${hit.title}`,
      hit.other ? h("span", { class: "muted", text: ` (${hit.other})` }) : null))));
  });
  return h("div", { class: "field" }, h("span", { text: label }), chips, input, hits);
}

// --- consent --------------------------------------------------------------------------

function openSeries(series) {
  flow.series = series;
  if (series.accepts_photos) return cameraScreen();
  consentScreen();
}

function consentScreen() {
  const scopes = [["clinical_documentation", _("Clinical documentation")], ["teaching", _("Teaching")],
    ["research", _("Research")], ["publication", _("Publication")]];
  const radio = (name, value, text, checked) => h("label", { class: "choice" },
    h("input", { type: "radio", name, value, checked }), text);
  const submit = async (event) => {
    event.preventDefault();
    const form = event.target;
    const chosen = scopes.map(([id]) => id).filter((id) => form.elements[id].checked);
    if (!chosen.includes("clinical_documentation")) {
      return notice(_("Photos need consent for clinical documentation."), "error");
    }
    try {
      const series = await recordConsent(flow.patient.id, flow.series,
        { scopes: chosen, given_by: form.elements.given_by.value, method: form.elements.method.value });
      notice("");
      openSeries(series);
    } catch (error) {
      notice(error.message, "error");
    }
  };
  show(header(_("Consent"), () => pickSeries(flow.patient)),
    h("form", { class: "card", on: { submit } },
      h("p", { text: _("The camera opens once the patient has consented to clinical documentation.") }),
      h("fieldset", {}, h("legend", { text: _("The patient allows") }),
        scopes.map(([id, text]) => h("label", { class: "choice" },
          h("input", { type: "checkbox", name: id, checked: id === "clinical_documentation" }), text))),
      h("fieldset", {}, h("legend", { text: _("Given by") }),
        radio("given_by", "patient", _("The patient"), true),
        radio("given_by", "parent_or_guardian", _("Parent or guardian"), false),
        radio("given_by", "next_of_kin", _("Next of kin"), false)),
      h("fieldset", {}, h("legend", { text: _("How") }),
        radio("method", "verbal", _("Verbally"), true),
        radio("method", "signed_on_paper", _("Signed on paper"), false)),
      h("button", { type: "submit", class: "btn primary", id: "record-consent", text: _("Record consent") })));
}

// --- camera ---------------------------------------------------------------------------

function viewChoices() {
  const site = flow.series.body_site;
  const sites = terms().body_sites;
  const lineage = new Set();
  for (let id = site; id; id = sites.find((s) => s.id === id)?.parent_id) lineage.add(id);
  const views = terms().views.filter((v) => v.body_site_ids.some((id) => lineage.has(id)));
  return views.length ? views : terms().views;
}

async function cameraScreen() {
  flow.capturing = true;
  const key = await kv.get("transportKey");
  const sealing = { publicKey: await importTransportKey(key.spki), keyId: key.key_id };
  startShutterWorker();  // loads while the camera starts
  const video = h("video", { class: "viewfinder", playsinline: true, muted: true, autoplay: true });
  const ghost = h("img", { class: "ghost", alt: "", hidden: true });
  const phase = h("select", { id: "phase", "aria-label": _("Phase") },
    terms().phases.map((p) => h("option", { value: p.id, text: p.name })));
  const view = h("select", { id: "view", "aria-label": _("View") },
    viewChoices().map((v) => h("option", { value: v.id, text: v.name })));
  const counter = h("span", { class: "counter", id: "captured", text: "0" });
  const flash = h("div", { class: "flash" });
  let camera = null;
  let chain = Promise.resolve();
  let taken = 0;
  const close = async () => {
    await chain;
    if (camera) camera.stop();
    flow.capturing = false;
    document.body.classList.remove("camera-open");
    flow.afterCapture();
    flow.home();
  };
  // The still goes to the outbox at once; `chain` only lets "Done" wait for every photo.
  const keep = (still) => {
    const photo = {
      clientId: crypto.randomUUID(), seriesId: flow.series.id, phase: phase.value, view: view.value,
      viewName: view.selectedOptions[0].textContent, phaseName: phase.selectedOptions[0].textContent,
      capturedAt: new Date().toISOString(),
    };
    const kept = keepStill(still, photo, sealing).then(() => {
      counter.dataset.stored = String(Number(counter.dataset.stored || 0) + 1);
      requestBackgroundSync();
    }).catch((error) => notice(_("The photo could not be kept: %(reason)s", { reason: error.message }), "error"));
    chain = chain.then(() => kept);
  };
  const shutter = () => {
    if (!camera) return;
    flash.classList.remove("on"); void flash.offsetWidth; flash.classList.add("on");
    taken += 1;
    counter.textContent = String(taken);
    keep(grabStill(camera, video));
  };
  const fallback = h("input", { type: "file", accept: "image/*", capture: "environment", id: "file-capture",
    class: "file-capture", hidden: hasCameraApi() });
  fallback.addEventListener("change", () => {
    for (const file of fallback.files) { taken += 1; counter.textContent = String(taken); keep(Promise.resolve({ image: file })); }
    fallback.value = "";
  });
  const torch = button(`⚡ ${_("Torch")}`, async () => {
    torch.classList.toggle("on");
    await camera.setTorch(torch.classList.contains("on")).catch(() => {});
  }, "torch", { id: "torch", hidden: true });
  const updateGhost = () => loadGhost(ghost, view.value);
  view.addEventListener("change", updateGhost);
  show(h("div", { class: "camera" },
    h("div", { class: "stage" }, video, ghost, flash),
    h("div", { class: "top" }, torch,
      h("span", { class: "series-name", text: `${flow.patient.name} · ${seriesLabel(flow.series)}` }),
      button(_("Done"), close, "secondary", { id: "done" })),
    h("div", { class: "controls" },
      h("div", { class: "selectors" }, phase, view),
      h("div", { class: "shutter-row" }, counter,
        button("", shutter, "shutter", { id: "shutter", "aria-label": _("Take photo"), disabled: true }),
        button(_("Ghost"), () => { ghost.classList.toggle("off"); }, "link", { id: "ghost-toggle" })),
      fallback)));
  document.body.classList.add("camera-open");
  if (!hasCameraApi()) return;
  try {
    camera = await openCamera(video);
    torch.hidden = !camera.hasTorch;
    document.getElementById("shutter").disabled = false;
  } catch (error) {
    fallback.hidden = false;
    notice(_("The camera could not start (%(reason)s); use the button to take a photo.", { reason: error.name }), "error");
  }
  updateGhost();
}

function requestBackgroundSync() {
  if (!("serviceWorker" in navigator)) return;
  navigator.serviceWorker.ready
    .then((registration) => registration.sync && registration.sync.register("outbox"))
    .catch(() => {});  // no Background Sync here: the open app uploads instead
}

// The series' last photo of the same view, semi-transparent over the viewfinder.
async function loadGhost(ghost, viewId) {
  ghost.hidden = true;
  if (flow.series.id.startsWith(LOCAL) || !navigator.onLine) return;
  try {
    const series = await api("GET", `/series/${flow.series.id}`);
    const last = series.photos
      .filter((p) => p.view === viewId && p.status === "ready" && p.links.preview)
      .sort((a, b) => String(b.captured_at).localeCompare(String(a.captured_at)))[0];
    if (!last) return;
    ghost.src = last.links.preview;
    ghost.hidden = false;
  } catch { /* no ghost this time */ }
}
