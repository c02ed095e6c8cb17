// What the app keeps for offline capture: the taxonomy, the cluster's recent patients
// (display name, masked CPR, series), the pinned transport key. Creations try the server
// first and fall back to the outbox, with a local id, when there is no connection.

import { Offline, api } from "./api.js";
import { _, formatMoment } from "./i18n.js";
import { LOCAL } from "./outbox.js";
import { kv, ops } from "./store.js";

const RECENT_PATIENTS = 15;

export async function refreshTransportKey() {
  const fresh = await api("GET", "/app/transport-key");
  const pinned = await kv.get("transportKey");
  if (pinned && pinned.key_id !== fresh.key_id) {
    throw new Error(_("The server's encryption key changed. Sign out and in again to trust the new one."));
  }
  if (!pinned) await kv.set("transportKey", fresh);
  return pinned || fresh;
}

export async function refreshTaxonomy() {
  const [da, en] = await Promise.all([api("GET", "/taxonomy?language=da"), api("GET", "/taxonomy?language=en")]);
  await kv.set("taxonomy", { da, en });
}

function slimSeries(s) {
  return {
    id: s.id, body_site: s.body_site, side: s.side, diagnoses: s.diagnoses,
    procedures: s.procedures, title: s.title, accepts_photos: s.accepts_photos,
  };
}

function slimPatient(p, series) {
  return { id: p.id, name: p.name, cpr_masked: p.cpr_masked, series: series.map(slimSeries) };
}

export async function refreshPatients(clusterId) {
  const recent = (await api("GET", `/patients?cluster_id=${clusterId}`)).slice(0, RECENT_PATIENTS);
  const full = await Promise.all(recent.map((p) => api("GET", `/patients/${p.id}`)));
  const local = ((await kv.get("patients")) || []).filter((p) => p.id.startsWith(LOCAL));
  await kv.set("patients", [...local, ...full.map((p) => slimPatient(p, p.series))]);
}

export async function cachedPatients() {
  return (await kv.get("patients")) || [];
}

async function keepPatient(patient) {
  const patients = (await cachedPatients()).filter((p) => p.id !== patient.id);
  await kv.set("patients", [patient, ...patients]);
  return patient;
}

export async function keepSeries(patientId, series) {
  const patients = await cachedPatients();
  const patient = patients.find((p) => p.id === patientId);
  if (patient) {
    patient.series = [slimSeries(series), ...patient.series.filter((s) => s.id !== series.id)];
    await kv.set("patients", patients);
  }
  return series;
}

function localId() {
  return LOCAL + crypto.randomUUID();
}

async function queued(kind, payload) {
  const id = localId();
  await ops.add({ kind, localId: id, payload });
  return id;
}

export async function createAcutePatient(clusterId) {
  try {
    const p = await api("POST", "/patients/acute", { cluster_id: clusterId });
    return keepPatient(slimPatient(p, []));
  } catch (error) {
    if (!(error instanceof Offline)) throw error;
  }
  const id = await queued("acute", { cluster_id: clusterId });
  const name = _("Acute patient %(time)s (offline)", { time: formatMoment(new Date()) });
  return keepPatient({ id, name, cpr_masked: null, series: [] });
}

export function checkCpr(cpr) {
  const digits = cpr.replace(/[\s-]/g, "");
  if (!/^\d{10}$/.test(digits)) return _("A CPR number has 10 digits, like 010190-1234.");
  const day = Number(digits.slice(0, 2));
  const month = Number(digits.slice(2, 4));
  if (day < 1 || day > 31 || month < 1 || month > 12) return _("The CPR number does not start with a date.");
  return null;
}

export async function createPatient(clusterId, name, cpr) {
  const payload = { cluster_id: clusterId, name: name.trim(), cpr: cpr.trim() };
  try {
    const p = await api("POST", "/patients", payload);
    return keepPatient(slimPatient(p, []));
  } catch (error) {
    if (!(error instanceof Offline)) throw error;
  }
  const id = await queued("patient", payload);
  const digits = payload.cpr.replace(/[\s-]/g, "");
  return keepPatient({ id, name: payload.name, cpr_masked: `${digits.slice(0, 6)}-XXXX`, series: [] });
}

export async function createSeries(patientId, body) {
  if (!patientId.startsWith(LOCAL)) {
    try {
      return keepSeries(patientId, await api("POST", `/patients/${patientId}/series`, body));
    } catch (error) {
      if (!(error instanceof Offline)) throw error;
    }
  }
  const id = await queued("series", { patient_id: patientId, ...body });
  return keepSeries(patientId, { id, ...body, accepts_photos: false });
}

export async function recordConsent(patientId, series, body) {
  if (!series.id.startsWith(LOCAL)) {
    try {
      return keepSeries(patientId, await api("POST", `/series/${series.id}/consents`, body));
    } catch (error) {
      if (!(error instanceof Offline)) throw error;
    }
  }
  await ops.add({ kind: "consent", localId: null, payload: { series_id: series.id, ...body } });
  return keepSeries(patientId, { ...series, accepts_photos: body.scopes.includes("clinical_documentation") });
}

// Search as you type in Danish and English titles and codes, on the device; each hit has its
// title in `language` and, where there is one, in the other language.
export function searchCodes(taxonomy, kind, query, language, limit = 12) {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  if (!words.length) return [];
  const other = new Map(taxonomy[language === "da" ? "en" : "da"][kind].map((item) => [item.code, item.title]));
  const hits = [];
  for (const item of taxonomy[language][kind]) {
    const otherTitle = other.get(item.code);
    const text = `${item.code} ${item.icd10_code || ""} ${item.title} ${otherTitle || ""}`.toLowerCase();
    if (words.every((word) => text.includes(word))) hits.push({ code: item.code, title: item.title, other: otherTitle !== item.title ? otherTitle : null });
    if (hits.length >= limit) break;
  }
  return hits;
}
