// The phone app: sign-in, PIN and biometrics, lock, home with the outbox, updates.

import { ApiError, Offline, api, onRevoked } from "./api.js";
import { startCapture, isCapturing } from "./capture.js";
import { refreshPatients, refreshTaxonomy, refreshTransportKey } from "./data.js";
import { button, field, h, notice, show } from "./dom.js";
import * as lock from "./lock.js";
import { flush, isFlushing, onOutboxChange, progressOf } from "./outbox.js";
import { kv, ops, outbox, wipeEverything } from "./store.js";

const app = { account: null, unlocked: false, backoff: 1000, timer: null, waiting: null };
const SW_URL = "/app/sw.js";

function clusterId() {
  return app.account.me.memberships[0]?.cluster_id;
}

// --- sign-in and PIN ------------------------------------------------------------------

function signInScreen(message) {
  const email = h("input", { type: "email", id: "email", autocomplete: "username", required: true });
  const password = h("input", { type: "password", id: "password", autocomplete: "current-password", required: true });
  const submit = async (event) => {
    event.preventDefault();
    notice("");
    try {
      const session = await api("POST", "/app/login", { email: email.value, password: password.value });
      await kv.set("account", session);
      app.account = session;
      app.unlocked = true;
      await Promise.all([refreshTransportKey(), refreshTaxonomy()]);
      await refreshPatients(clusterId()).catch(() => {});
      setPinScreen();
    } catch (error) {
      notice(error.message, "error");
    }
  };
  show(h("form", { class: "card", on: { submit } },
    h("img", { src: "/app/icons/icon-192.png", alt: "", class: "logo" }),
    h("h1", { text: "Sutura" }),
    h("p", { class: "muted", text: "Sign in with your work email and password." }),
    field("Email", email), field("Password", password),
    h("button", { type: "submit", class: "btn primary", text: "Sign in" })));
  if (message) notice(message, "error");
}

function pinInput(id, label) {
  return field(label, h("input", { id, type: "password", inputmode: "numeric", pattern: "[0-9]{4}",
    maxlength: "4", autocomplete: "off", class: "pin", required: true }));
}

function setPinScreen() {
  const submit = async (event) => {
    event.preventDefault();
    const pin = document.getElementById("pin").value;
    if (!/^\d{4}$/.test(pin)) return notice("The PIN has exactly 4 digits.", "error");
    if (pin !== document.getElementById("pin2").value) return notice("The two PINs differ.", "error");
    try {
      await lock.setPin(pin);
      notice("");
      await biometricsScreen();
    } catch (error) {
      notice(error.message, "error");
    }
  };
  show(h("form", { class: "card", on: { submit } },
    h("h1", { text: "Choose a PIN" }),
    h("p", { class: "muted", text: "Four digits to open the app on this phone. It does not unlock any photo." }),
    pinInput("pin", "PIN"), pinInput("pin2", "PIN again"),
    h("button", { type: "submit", class: "btn primary", text: "Set PIN" })));
}

async function biometricsScreen() {
  if (!(await lock.hasPlatformAuthenticator())) return home();
  const enable = async () => {
    try {
      await lock.registerPasskey();
      notice("Fingerprint or face unlock is on.", "ok");
      home();
    } catch (error) {
      notice(error.message || "Could not turn on fingerprint or face unlock.", "error");
    }
  };
  show(h("div", { class: "card" },
    h("h1", { text: "Unlock with your face or fingerprint?" }),
    h("p", { class: "muted", text: "Open the app with Face ID, Touch ID or your fingerprint instead of the PIN." }),
    button("Turn on", enable, "primary", { id: "enable-biometrics" }),
    button("Not now", () => home(), "secondary")));
}

// --- lock -----------------------------------------------------------------------------

async function wipe(message) {
  clearTimeout(app.timer);
  app.account = null;
  app.unlocked = false;
  await wipeEverything();
  signInScreen(message);
}

async function lockScreen() {
  app.unlocked = false;
  if (!app.account) return signInScreen();
  const input = h("input", { id: "unlock-pin", type: "password", inputmode: "numeric", maxlength: "4",
    autocomplete: "off", class: "pin", "aria-label": "PIN" });
  const submit = async (event) => {
    event.preventDefault();
    try {
      await lock.unlockWithPin(input.value);
      unlocked();
    } catch (error) {
      input.value = "";
      if (error.triesLeft === 0) return wipe("Five wrong PINs: the app was signed out and its data wiped.");
      notice(error.message, "error");
    }
  };
  const biometric = (await kv.get("hasPasskey")) && navigator.onLine
    ? button("Use face or fingerprint", () => unlockBiometric(), "secondary", { id: "unlock-biometrics" })
    : null;
  if (!app.account) return;  // wiped while we waited (a revoked device): sign-in is showing
  show(h("form", { class: "card", on: { submit } },
    h("img", { src: "/app/icons/icon-192.png", alt: "", class: "logo" }),
    h("h1", { text: "Sutura is locked" }),
    h("p", { class: "muted", text: `Signed in as ${app.account.me.email}` }),
    field("PIN", input),
    h("button", { type: "submit", class: "btn primary", text: "Unlock" }),
    biometric));
  input.focus();
}

async function unlockBiometric() {
  try {
    await lock.unlockWithPasskey();
    unlocked();
  } catch (error) {
    notice(error.message || "Use your PIN.", "error");
  }
}

function unlocked() {
  app.unlocked = true;
  notice("");
  home();
  sync();
}

// --- home and outbox ------------------------------------------------------------------

async function outboxPanel() {
  const items = await outbox.all();
  const pending = (await ops.all()).length;
  const panel = h("section", { class: "outbox", id: "outbox", "aria-live": "polite" });
  if (!items.length && !pending) {
    panel.append(h("p", { class: "ok", text: "Outbox empty: every photo has reached the server." }));
    return panel;
  }
  panel.append(h("p", { class: "warn",
    text: `${items.length} photo${items.length === 1 ? "" : "s"} waiting to upload. Keep the app open until this finishes.` }));
  if (!navigator.onLine) {
    panel.append(h("p", { class: "muted", text: "No connection: uploads start when the phone is back online." }));
  }
  for (const item of items) {
    panel.append(h("div", { class: "outbox-item" },
      h("span", { text: `${item.viewName || item.view} · ${item.phaseName || item.phase}` }),
      h("progress", { max: "1", value: String(progressOf(item.clientId)), "data-client-id": item.clientId }),
      item.error ? h("span", { class: "error", text: item.error }) : null));
  }
  return panel;
}

const redraw = { running: null, stale: false };

// One redraw at a time: the changes made during it are drawn by one more, not one each (every
// redraw reads the whole outbox, and a flush changes it once per photo).
function refreshOutboxPanel(clientId, fraction) {
  if (clientId && fraction !== undefined) {  // upload progress: update the bar in place
    const bar = document.querySelector(`progress[data-client-id="${CSS.escape(clientId)}"]`);
    if (bar) bar.value = fraction;
    return Promise.resolve();
  }
  redraw.stale = true;
  if (!redraw.running) redraw.running = redrawOutboxPanel().finally(() => { redraw.running = null; });
  return redraw.running;
}

async function redrawOutboxPanel() {
  while (redraw.stale) {
    redraw.stale = false;
    await drawOutboxPanel();
  }
}

async function drawOutboxPanel() {
  const fresh = await outboxPanel();
  const current = document.getElementById("outbox");
  if (current) current.replaceWith(fresh);
  const count = await outbox.count().catch(() => 0);
  document.getElementById("status").textContent = count ? `${count} to upload` : (navigator.onLine ? "Online" : "Offline");
}

export async function home() {
  if (!app.account) return signInScreen();
  if (!app.unlocked) return lockScreen();
  show(h("div", { class: "home" },
    h("h1", { text: "Sutura" }),
    h("p", { class: "muted", text: `${app.account.me.display_name} · ${app.account.me.memberships[0]?.cluster_name || ""}` }),
    button("Start capture", () => startCapture({ clusterId: clusterId(), home, afterCapture: sync }), "primary big", { id: "start-capture" }),
    await outboxPanel(),
    h("a", { href: "/", class: "btn secondary", text: "Go to portal" }),
    button("Sign out", signOut, "link danger", { id: "sign-out" })));
  refreshOutboxPanel();
}

async function signOut() {
  const waiting = await outbox.count();
  if (waiting && !document.getElementById("confirm-sign-out")) {
    notice(`${waiting} photos have not reached the server and will be lost.`, "error");
    document.getElementById("sign-out").replaceWith(
      button("Sign out anyway", signOut, "danger", { id: "confirm-sign-out" }));
    return;
  }
  await api("POST", "/app/logout").catch(() => {});
  await wipe("");
  notice("Signed out. Nothing about patients is left on this phone.", "ok");
}

// Uploads whenever the app is open and online, with backoff after failures.
export async function sync() {
  clearTimeout(app.timer);
  if (!app.account || !navigator.onLine) return;
  try {
    await flush();
    app.backoff = 1000;
    if (app.unlocked) await refreshPatients(clusterId()).catch(() => {});
  } catch (error) {
    if (error instanceof ApiError && error.status === 401 && !error.isRevoked) {
      if (app.unlocked) lockScreen();  // the session ended: the PIN opens a new one
      return;
    }
    if (error instanceof ApiError && error.isRevoked) return;
    app.backoff = Math.min(app.backoff * 2, 60000);
    app.timer = setTimeout(sync, app.backoff);
  }
  if ((await outbox.count()) > 0 && !isFlushing()) app.timer = setTimeout(sync, app.backoff);
}

// --- updates --------------------------------------------------------------------------

function offerUpdate(worker) {
  app.waiting = worker;
  const banner = document.getElementById("update");
  banner.replaceChildren(
    h("span", { text: "Update available." }),
    button("Reload", applyUpdate, "secondary", { id: "apply-update" }));
  banner.hidden = false;
}

function applyUpdate() {
  if (isCapturing() || isFlushing()) {
    notice("The update waits until capture and uploads have finished.", "info");
    return;
  }
  navigator.serviceWorker.addEventListener("controllerchange", () => location.reload(), { once: true });
  app.waiting.postMessage({ type: "activate-update" });
}

async function registerWorker() {
  if (!("serviceWorker" in navigator)) return;
  const registration = await navigator.serviceWorker.register(SW_URL, { scope: "/app/", type: "module" });
  if (registration.waiting && navigator.serviceWorker.controller) offerUpdate(registration.waiting);
  registration.addEventListener("updatefound", () => {
    const installing = registration.installing;
    installing.addEventListener("statechange", () => {
      if (installing.state === "installed" && navigator.serviceWorker.controller) offerUpdate(installing);
    });
  });
  navigator.serviceWorker.addEventListener("message", (event) => {
    if (event.data && event.data.type === "outbox-changed") refreshOutboxPanel();
  });
}

// --- start ----------------------------------------------------------------------------

async function start() {
  onRevoked(() => wipe("This device was signed out. Sign in again."));
  onOutboxChange((clientId, fraction) => refreshOutboxPanel(clientId, fraction));
  window.addEventListener("online", () => { refreshOutboxPanel(); sync(); });
  window.addEventListener("offline", () => refreshOutboxPanel());
  registerWorker().catch(() => {});
  lock.watchIdle(() => { if (app.account && app.unlocked && !isCapturing()) lockScreen(); });
  app.account = await kv.get("account");
  if (!app.account) return signInScreen();
  lockScreen();
  sync();
  if (navigator.onLine) {
    api("GET", "/app/device").catch((error) => {
      if (error instanceof Offline || error.isRevoked) return;
    });
  }
}

start();
