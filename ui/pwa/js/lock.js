// The PIN, the local PIN verifier for offline unlock, passkeys, and the idle lock.
// The PIN only opens the app; it never decrypts photos (the phone cannot read them).

import { Offline, api } from "./api.js";
import { _, ngettext } from "./i18n.js";
import { pinVerifier } from "./seal.js";
import { kv } from "./store.js";

export const MAX_PIN_FAILURES = 5;
const ITERATIONS = 310000;
const IDLE_MS = 5 * 60 * 1000;

function equal(a, b) {
  if (a.length !== b.length) return false;
  let difference = 0;
  for (let i = 0; i < a.length; i += 1) difference |= a[i] ^ b[i];
  return difference === 0;
}

export async function setPin(pin) {
  await api("POST", "/app/pin", { pin });
  const salt = crypto.getRandomValues(new Uint8Array(16));
  const hash = await pinVerifier(pin, salt, ITERATIONS);
  await kv.set("pinVerifier", { salt, hash, iterations: ITERATIONS });
  await kv.set("pinFailures", 0);
}

async function checkLocally(pin) {
  const verifier = await kv.get("pinVerifier");
  if (!verifier) return false;
  return equal(await pinVerifier(pin, verifier.salt, verifier.iterations), verifier.hash);
}

// Resolves when the PIN is right, with the member's profile when the server checked it (null
// offline); otherwise throws with triesLeft (the caller wipes at zero).
export async function unlockWithPin(pin) {
  try {
    const me = await api("POST", "/app/unlock", { pin });
    await kv.set("pinFailures", 0);
    return me;
  } catch (error) {
    if (!(error instanceof Offline)) {
      if (error.isRevoked) {
        error.triesLeft = 0;
        throw error;
      }
      if (error.status !== 401) throw error;
      // The server says how many tries are left (tries_left); the app words the wrong PIN
      // itself and keeps any other reason's first sentence. An older server only had the
      // English sentence.
      const triesLeft = error.body.tries_left;
      if (Number.isInteger(triesLeft)) return countFailure(_("Wrong PIN."), triesLeft);
      const wrongPin = String(error.body.detail || "").startsWith("Wrong PIN");
      return countFailure(wrongPin ? _("Wrong PIN.") : `${error.message.split(".")[0]}.`);
    }
  }
  if (await checkLocally(pin)) {
    await kv.set("pinFailures", 0);
    return null;
  }
  return countFailure(_("Wrong PIN."));
}

// The server's count of tries left, when it gave one, else the app's own.
async function countFailure(reason, serverTriesLeft) {
  const failures = Number.isInteger(serverTriesLeft)
    ? MAX_PIN_FAILURES - serverTriesLeft
    : ((await kv.get("pinFailures")) || 0) + 1;
  await kv.set("pinFailures", failures);
  const left = MAX_PIN_FAILURES - failures;
  const tries = ngettext("%(count)s try left.", "%(count)s tries left.", left);
  const error = new Error(left > 0 ? `${reason} ${tries}` : "");
  error.triesLeft = Math.max(left, 0);
  throw error;
}

// WebAuthn: the server sends options as JSON with base64url; the browser wants bytes.
function bytes(text) {
  const base64 = text.replace(/-/g, "+").replace(/_/g, "/");
  const raw = atob(base64 + "===".slice((base64.length + 3) % 4));
  return Uint8Array.from(raw, (c) => c.charCodeAt(0));
}

function text(buffer) {
  let raw = "";
  for (const b of new Uint8Array(buffer)) raw += String.fromCharCode(b);
  return btoa(raw).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

export async function hasPlatformAuthenticator() {
  return Boolean(window.PublicKeyCredential
    && await PublicKeyCredential.isUserVerifyingPlatformAuthenticatorAvailable().catch(() => false));
}

export async function registerPasskey() {
  const options = await api("POST", "/app/passkeys/options");
  const publicKey = {
    ...options,
    challenge: bytes(options.challenge),
    user: { ...options.user, id: bytes(options.user.id) },
    excludeCredentials: (options.excludeCredentials || []).map((c) => ({ ...c, id: bytes(c.id) })),
  };
  const credential = await navigator.credentials.create({ publicKey });
  const response = credential.response;
  await api("POST", "/app/passkeys", {
    challenge: options.challenge,
    credential: {
      id: credential.id,
      rawId: text(credential.rawId),
      type: credential.type,
      response: {
        clientDataJSON: text(response.clientDataJSON),
        attestationObject: text(response.attestationObject),
        transports: response.getTransports ? response.getTransports() : [],
      },
      clientExtensionResults: credential.getClientExtensionResults(),
    },
  });
  await kv.set("hasPasskey", true);
}

export async function unlockWithPasskey() {
  const options = await api("POST", "/app/unlock/passkey/options");
  const publicKey = {
    ...options,
    challenge: bytes(options.challenge),
    allowCredentials: (options.allowCredentials || []).map((c) => ({ ...c, id: bytes(c.id) })),
  };
  const credential = await navigator.credentials.get({ publicKey });
  const response = credential.response;
  const me = await api("POST", "/app/unlock/passkey", {
    challenge: options.challenge,
    credential: {
      id: credential.id,
      rawId: text(credential.rawId),
      type: credential.type,
      response: {
        clientDataJSON: text(response.clientDataJSON),
        authenticatorData: text(response.authenticatorData),
        signature: text(response.signature),
        userHandle: response.userHandle ? text(response.userHandle) : null,
      },
      clientExtensionResults: credential.getClientExtensionResults(),
    },
  });
  await kv.set("pinFailures", 0);
  return me;
}

// Locks the app after IDLE_MS without a touch or key press.
export function watchIdle(lock, idleMs = IDLE_MS) {
  let last = Date.now();
  const touch = () => { last = Date.now(); };
  for (const event of ["pointerdown", "keydown", "touchstart"]) {
    document.addEventListener(event, touch, { passive: true });
  }
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible" && Date.now() - last > idleMs) lock();
  });
  setInterval(() => { if (Date.now() - last > idleMs) { touch(); lock(); } }, 5000);
}
