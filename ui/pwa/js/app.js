// The phone app: sign-in, PIN and biometrics, lock, home with the outbox, updates.

import { ApiError, Offline, api, onRevoked } from "./api.js";
import { startCapture, isCapturing } from "./capture.js";
import { refreshPatients, refreshTaxonomy, refreshTransportKey } from "./data.js";
import { button, field, h, notice, show } from "./dom.js";
import { _, chooseLanguage, currentLanguage, ngettext, useLanguage } from "./i18n.js";
import * as lock from "./lock.js";
import { flush, isFlushing, onOutboxChange, progressOf } from "./outbox.js";
import { kv, ops, outbox, wipeEverything } from "./store.js";

const app = { account: null, unlocked: false, backoff: 1000, timer: null, waiting: null };
const SW_URL = "/app/sw.js";
const LANGUAGE_NAMES = { da: "Dansk", en: "English" };  // each in its own language

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
      await useLanguage(chooseLanguage(session.me.language));
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
    h("p", { class: "muted", text: _("Sign in with your work email and password.") }),
    field(_("Email"), email), field(_("Password"), password),
    h("button", { type: "submit", class: "btn primary", text: _("Sign in") })));
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
    if (!/^\d{4}$/.test(pin)) return notice(_("The PIN has exactly 4 digits."), "error");
    if (pin !== document.getElementById("pin2").value) return notice(_("The two PINs differ."), "error");
    try {
      await lock.setPin(pin);
      notice("");
      await biometricsScreen();
    } catch (error) {
      notice(error.message, "error");
    }
  };
  show(h("form", { class: "card", on: { submit } },
    h("h1", { text: _("Choose a PIN") }),
    h("p", { class: "muted", text: _("Four digits to open the app on this phone. It does not unlock any photo.") }),
    pinInput("pin", _("PIN")), pinInput("pin2", _("PIN again")),
    h("button", { type: "submit", class: "btn primary", text: _("Set PIN") })));
}

async function biometricsScreen() {
  if (!(await lock.hasPlatformAuthenticator())) return home();
  const enable = async () => {
    try {
      await lock.registerPasskey();
      notice(_("Fingerprint or face unlock is on."), "ok");
      home();
    } catch (error) {
      notice(error.message || _("Could not turn on fingerprint or face unlock."), "error");
    }
  };
  show(h("div", { class: "card" },
    h("h1", { text: _("Unlock with your face or fingerprint?") }),
    h("p", { class: "muted", text: _("Open the app with Face ID, Touch ID or your fingerprint instead of the PIN.") }),
    button(_("Turn on"), enable, "primary", { id: "enable-biometrics" }),
    button(_("Not now"), () => home(), "secondary")));
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
    autocomplete: "off", class: "pin", "aria-label": _("PIN") });
  const submit = async (event) => {
    event.preventDefault();
    try {
      await adoptProfile(await lock.unlockWithPin(input.value));
      unlocked();
    } catch (error) {
      input.value = "";
      if (error.triesLeft === 0) return wipe(_("Five wrong PINs: the app was signed out and its data wiped."));
      notice(error.message, "error");
    }
  };
  const biometric = (await kv.get("hasPasskey")) && navigator.onLine
    ? button(_("Use face or fingerprint"), () => unlockBiometric(), "secondary", { id: "unlock-biometrics" })
    : null;
  if (!app.account) return;  // wiped while we waited (a revoked device): sign-in is showing
  show(h("form", { class: "card", on: { submit } },
    h("img", { src: "/app/icons/icon-192.png", alt: "", class: "logo" }),
    h("h1", { text: _("Sutura is locked") }),
    h("p", { class: "muted", text: _("Signed in as %(email)s", { email: app.account.me.email }) }),
    field(_("PIN"), input),
    h("button", { type: "submit", class: "btn primary", text: _("Unlock") }),
    biometric));
  input.focus();
}

async function unlockBiometric() {
  try {
    await adoptProfile(await lock.unlockWithPasskey());
    unlocked();
  } catch (error) {
    notice(error.message || _("Use your PIN."), "error");
  }
}

// The server's answer to an unlock: the member's name and language may have changed since.
async function adoptProfile(me) {
  if (!me || !app.account) return;
  app.account = { ...app.account, me };
  await kv.set("account", app.account);
  const language = chooseLanguage(me.language);
  if (language !== currentLanguage()) await useLanguage(language);
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
    panel.append(h("p", { class: "ok", text: _("Outbox empty: every photo has reached the server.") }));
    return panel;
  }
  panel.append(h("p", { class: "warn", text: ngettext(
    "%(count)s photo waiting to upload. Keep the app open until this finishes.",
    "%(count)s photos waiting to upload. Keep the app open until this finishes.", items.length) }));
  if (!navigator.onLine) {
    panel.append(h("p", { class: "muted", text: _("No connection: uploads start when the phone is back online.") }));
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
  document.getElementById("status").textContent = count
    ? ngettext("%(count)s to upload", "%(count)s to upload", count)
    : (navigator.onLine ? _("Online") : _("Offline"));
}

export async function home() {
  if (!app.account) return signInScreen();
  if (!app.unlocked) return lockScreen();
  show(h("div", { class: "home" },
    h("h1", { text: "Sutura" }),
    h("p", { class: "muted", text: `${app.account.me.display_name} · ${app.account.me.memberships[0]?.cluster_name || ""}` }),
    button(_("Start capture"), () => startCapture({ clusterId: clusterId(), home, afterCapture: sync }), "primary big", { id: "start-capture" }),
    await outboxPanel(),
    h("a", { href: "/", class: "btn secondary", text: _("Go to portal") }),
    languageSwitch(),
    button(_("Sign out"), signOut, "link danger", { id: "sign-out" })));
  refreshOutboxPanel();
}

// The other language, kept as the member's choice on the server (the portal follows it too).
function languageSwitch() {
  const other = currentLanguage() === "da" ? "en" : "da";
  const choose = async () => {
    try {
      await api("PUT", "/me/language", { language: other });
    } catch (error) {
      return notice(error instanceof Offline ? _("Changing the language needs a connection.") : error.message, "error");
    }
    await useLanguage(other);
    await adoptProfile({ ...app.account.me, language: other });
    notice("");
    home();
  };
  return button(LANGUAGE_NAMES[other], choose, "link", { id: "language", lang: other });
}

async function signOut() {
  const waiting = await outbox.count();
  if (waiting && !document.getElementById("confirm-sign-out")) {
    notice(ngettext("%(count)s photo has not reached the server and will be lost.",
      "%(count)s photos have not reached the server and will be lost.", waiting), "error");
    document.getElementById("sign-out").replaceWith(
      button(_("Sign out anyway"), signOut, "danger", { id: "confirm-sign-out" }));
    return;
  }
  await api("POST", "/app/logout").catch(() => {});
  await wipe("");
  notice(_("Signed out. Nothing about patients is left on this phone."), "ok");
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
    h("span", { text: _("Update available.") }),
    button(_("Reload"), applyUpdate, "secondary", { id: "apply-update" }));
  banner.hidden = false;
}

function applyUpdate() {
  if (isCapturing() || isFlushing()) {
    notice(_("The update waits until capture and uploads have finished."), "info");
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
  onRevoked(() => wipe(_("This device was signed out. Sign in again.")));
  onOutboxChange((clientId, fraction) => refreshOutboxPanel(clientId, fraction));
  window.addEventListener("online", () => { refreshOutboxPanel(); sync(); });
  window.addEventListener("offline", () => refreshOutboxPanel());
  registerWorker().catch(() => {});
  lock.watchIdle(() => { if (app.account && app.unlocked && !isCapturing()) lockScreen(); });
  app.account = await kv.get("account");
  await useLanguage(chooseLanguage(app.account?.me.language));
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
