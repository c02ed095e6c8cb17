// The service worker: serves the app shell from its cache (so the app opens offline),
// and sends the outbox on Background Sync where the browser has it. It never caches API
// answers or photos. A new version waits until the page asks it to take over. The shell
// includes the Danish catalog, so the app opens offline in Danish; English needs none.

import { flush } from "./js/outbox.js";

const VERSION = "5";
const CACHE = `sutura-shell-v${VERSION}`;
const SHELL = [
  "/app/", "/app/app.css", "/app/manifest.webmanifest",
  "/app/icons/icon-192.png", "/app/icons/icon-512.png",
  "/app/js/api.js", "/app/js/app.js", "/app/js/bodymap.js", "/app/js/camera.js", "/app/js/capture.js",
  "/app/js/data.js", "/app/js/dom.js", "/app/js/i18n.js", "/app/js/lock.js", "/app/js/outbox.js",
  "/app/js/seal.js", "/app/js/shutter.js", "/app/js/shutter-worker.js", "/app/js/store.js",
  "/app/i18n/da.json",
];

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(SHELL)));
});

self.addEventListener("activate", (event) => {
  event.waitUntil((async () => {
    for (const name of await caches.keys()) if (name !== CACHE) await caches.delete(name);
    await self.clients.claim();
  })());
});

self.addEventListener("message", (event) => {
  if (event.data && event.data.type === "activate-update") self.skipWaiting();
});

async function fromShell(request) {
  const url = new URL(request.url);
  const key = request.mode === "navigate" ? "/app/" : url.pathname;
  const cache = await caches.open(CACHE);
  const cached = await cache.match(key);
  if (cached) return cached;
  const response = await fetch(request);
  if (response.ok && SHELL.includes(key)) await cache.put(key, response.clone());
  return response;
}

self.addEventListener("fetch", (event) => {
  const url = new URL(event.request.url);
  if (event.request.method !== "GET" || url.origin !== self.location.origin) return;
  if (!url.pathname.startsWith("/app/") || url.pathname === "/app/sw.js") return;
  event.respondWith(fromShell(event.request));
});

self.addEventListener("sync", (event) => {
  if (event.tag !== "outbox") return;
  event.waitUntil(flush().then(async () => {
    for (const client of await self.clients.matchAll()) client.postMessage({ type: "outbox-changed" });
  }));
});
