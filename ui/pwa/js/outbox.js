// The outbox: creations made offline (patients, series, consents) and encrypted photos,
// sent in order whenever there is a connection. Each photo keeps its client id, so a
// retry after a dropped connection is the same photo on the server, never a duplicate.
// A photo is deleted from the phone only after the server acknowledged it.

import { API, ApiError, Offline, answerOf, api, languageHeaders } from "./api.js";
import { ALGORITHM } from "./seal.js";
import { kv, ops, outbox } from "./store.js";

export const LOCAL = "local-";
const progress = new Map();
const listeners = new Set();

export function onOutboxChange(listener) { listeners.add(listener); }
function changed(clientId, fraction) { for (const listener of listeners) listener(clientId, fraction); }
export function progressOf(clientId) { return progress.get(clientId) || 0; }

export async function resolveId(id) {
  if (!id || !id.startsWith(LOCAL)) return id;
  const idmap = (await kv.get("idmap")) || {};
  return idmap[id] || null;
}

async function remember(localId, serverId) {
  const idmap = (await kv.get("idmap")) || {};
  idmap[localId] = serverId;
  await kv.set("idmap", idmap);
}

async function sendOp(op) {
  const p = op.payload;
  if (op.kind === "acute") {
    return (await api("POST", "/patients/acute", { cluster_id: p.cluster_id })).id;
  }
  if (op.kind === "patient") {
    try {
      return (await api("POST", "/patients", p)).id;
    } catch (error) {
      if (!(error instanceof ApiError) || error.status !== 409) throw error;
      // Created by an earlier try whose answer was lost: find it by its CPR.
      const found = await api("GET", `/patients?cluster_id=${p.cluster_id}&q=${encodeURIComponent(p.cpr)}`);
      return found[0].id;
    }
  }
  if (op.kind === "series") {
    const patientId = await resolveId(p.patient_id);
    const { patient_id: _unused, ...body } = p;
    return (await api("POST", `/patients/${patientId}/series`, body)).id;
  }
  if (op.kind === "consent") {
    const seriesId = await resolveId(p.series_id);
    const { series_id: _unused, ...body } = p;
    await api("POST", `/series/${seriesId}/consents`, body);
    return null;
  }
  throw new Error(`unknown outbox operation ${op.kind}`);
}

async function flushOps(pending) {
  for (const op of pending) {
    const serverId = await sendOp(op);
    if (op.localId && serverId) await remember(op.localId, serverId);
    await ops.delete(op.seq);
  }
}

function post(url, form, onProgress) {
  if (typeof XMLHttpRequest === "undefined") {
    return fetch(url, { method: "POST", body: form, credentials: "same-origin", headers: languageHeaders() })
      .catch(() => { throw new Offline(); })
      .then(answerOf);
  }
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("POST", url);
    for (const [name, value] of Object.entries(languageHeaders())) xhr.setRequestHeader(name, value);
    xhr.upload.onprogress = (event) => { if (event.lengthComputable) onProgress(event.loaded / event.total); };
    xhr.onerror = xhr.ontimeout = xhr.onabort = () => reject(new Offline());
    xhr.onload = () => {
      const response = new Response(xhr.responseText, { status: xhr.status });
      answerOf(response).then(resolve, reject);
    };
    xhr.send(form);
  });
}

async function uploadPhoto(item, keyId) {
  const seriesId = await resolveId(item.seriesId);
  if (!seriesId) return false;
  const form = new FormData();
  form.append("phase", item.phase);
  form.append("view", item.view);
  form.append("captured_at", item.capturedAt);
  form.append("client_id", item.clientId);
  form.append("encryption", ALGORITHM);
  form.append("key_id", keyId);
  form.append("file", item.envelope, "photo.sealed");
  await post(`${API}/series/${seriesId}/photos`, form, (fraction) => {
    progress.set(item.clientId, fraction);
    changed(item.clientId, fraction);
  });
  return true;
}

// Started now and awaited later: a failure surfaces where it is awaited, not as unhandled.
function early(promise) {
  promise.catch(() => {});
  return promise;
}

async function forget(clientIds) {
  await outbox.deleteAll(clientIds);
  for (const clientId of clientIds) progress.delete(clientId);
  changed();
}

// Acknowledged photos are deleted together, at most every FORGET_EVERY_MS and at the end: a
// deletion slows the upload beside it (by a fifth on a fast network, measured). Should one be
// lost, the photo is sent again and the server knows it by its client id. While a photo
// uploads, the next one is read.
const FORGET_EVERY_MS = 2000;

async function flushPhotos(key, clientIds) {
  const sent = [];
  let forgotten = performance.now();
  let next = clientIds.length ? early(outbox.get(clientIds[0])) : null;
  try {
    for (let i = 0; i < clientIds.length; i += 1) {
      const item = await next;
      next = i + 1 < clientIds.length ? early(outbox.get(clientIds[i + 1])) : null;
      if (!item) continue;  // gone since the list was read
      try {
        if (await uploadPhoto(item, key.key_id)) sent.push(item.clientId);
      } catch (error) {
        progress.delete(item.clientId);
        if (!(error instanceof ApiError) || error.status === 401) throw error;
        item.error = error.message;  // kept on the phone and tried again later
        await outbox.put(item);
        changed();
      }
      if (sent.length && performance.now() - forgotten > FORGET_EVERY_MS) {
        await forget(sent.splice(0));
        forgotten = performance.now();
      }
    }
  } finally {
    if (sent.length) await forget(sent);
  }
}

let running = null;

// One flush at a time, across the page and the service worker.
export function flush() {
  if (!running) {
    const work = async () => {
      // Read at once: photos queued after this wait for the next flush.
      const [pending, key, clientIds] = await Promise.all([ops.all(), kv.get("transportKey"), outbox.keys()]);
      await flushOps(pending);
      await flushPhotos(key, clientIds);
    };
    const locked = self.navigator && navigator.locks
      ? navigator.locks.request("sutura-outbox", work)
      : work();
    running = locked.finally(() => { running = null; changed(); });
  }
  return running;
}

export function isFlushing() { return running !== null; }
