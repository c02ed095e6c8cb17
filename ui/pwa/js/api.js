// The REST API under /api/v1, same origin, session in an HttpOnly cookie. Requests name the
// app's language, so that the server's messages ("detail") arrive in it.

import { _, chosenLanguage } from "./i18n.js";

export const API = "/api/v1";

export class ApiError extends Error {
  constructor(status, body) {
    super((body && body.detail) || _("The server answered %(status)s.", { status: String(status) }));
    this.status = status;
    this.body = body || {};
  }
  get isRevoked() { return this.status === 401 && this.body.device_revoked === true; }
}

export class Offline extends Error {
  constructor() { super(_("No connection to the server.")); }
}

const revokedHandlers = [];
export function onRevoked(handler) { revokedHandlers.push(handler); }
export function reportRevoked() { for (const handler of revokedHandlers) handler(); }

export async function answerOf(response) {
  const text = await response.text();
  let body = null;
  try { body = text ? JSON.parse(text) : null; } catch { body = { detail: text.slice(0, 200) }; }
  if (!response.ok) {
    const error = new ApiError(response.status, body);
    if (error.isRevoked) reportRevoked();
    throw error;
  }
  return body;
}

export function languageHeaders() {
  const language = chosenLanguage();
  return language ? { "Accept-Language": language } : {};
}

export async function api(method, path, body) {
  const headers = { Accept: "application/json", ...languageHeaders() };
  const init = { method, credentials: "same-origin", headers };
  if (body !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch(API + path, init);
  } catch {
    throw new Offline();
  }
  return answerOf(response);
}
