// IndexedDB: the encrypted outbox, pending creations made offline, and the little data
// needed to capture offline. Works in the page and in the service worker.

const DB_NAME = "sutura";
const DB_VERSION = 1;
const STORES = ["kv", "outbox", "ops"];
let opening = null;

function request(req) {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

export function openDb() {
  if (!opening) {
    const req = indexedDB.open(DB_NAME, DB_VERSION);
    req.onupgradeneeded = () => {
      const db = req.result;
      if (!db.objectStoreNames.contains("kv")) db.createObjectStore("kv");
      if (!db.objectStoreNames.contains("outbox")) db.createObjectStore("outbox", { keyPath: "clientId" });
      if (!db.objectStoreNames.contains("ops")) db.createObjectStore("ops", { keyPath: "seq", autoIncrement: true });
    };
    opening = request(req).then((db) => {
      db.onversionchange = () => { db.close(); opening = null; };
      return db;
    });
    opening.catch(() => { opening = null; });
  }
  return opening;
}

async function tx(store, mode, work) {
  const db = await openDb();
  const transaction = db.transaction(store, mode);
  const result = await work(transaction.objectStore(store));
  await new Promise((resolve, reject) => {
    transaction.oncomplete = resolve;
    transaction.onerror = () => reject(transaction.error);
    transaction.onabort = () => reject(transaction.error || new Error("transaction aborted"));
  });
  return result;
}

export const kv = {
  get: (key) => tx("kv", "readonly", (s) => request(s.get(key))),
  set: (key, value) => tx("kv", "readwrite", (s) => request(s.put(value, key))),
  delete: (key) => tx("kv", "readwrite", (s) => request(s.delete(key))),
};

export const outbox = {
  put: (item) => tx("outbox", "readwrite", (s) => request(s.put(item))),
  all: () => tx("outbox", "readonly", (s) => request(s.getAll())),
  get: (clientId) => tx("outbox", "readonly", (s) => request(s.get(clientId))),
  keys: () => tx("outbox", "readonly", (s) => request(s.getAllKeys())),
  delete: (clientId) => tx("outbox", "readwrite", (s) => request(s.delete(clientId))),
  deleteAll: (clientIds) => tx("outbox", "readwrite", (s) => Promise.all(clientIds.map((id) => request(s.delete(id))))),
  count: () => tx("outbox", "readonly", (s) => request(s.count())),
};

export const ops = {
  add: (op) => tx("ops", "readwrite", (s) => request(s.add(op))),
  all: () => tx("ops", "readonly", (s) => request(s.getAll())),
  delete: (seq) => tx("ops", "readwrite", (s) => request(s.delete(seq))),
};

// Sign-out and lock-out: nothing about patients or photos may stay on the phone.
export async function wipeEverything() {
  if (opening) {
    const db = await opening.catch(() => null);
    if (db) db.close();
    opening = null;
  }
  await new Promise((resolve) => {
    const req = indexedDB.deleteDatabase(DB_NAME);
    req.onsuccess = req.onerror = req.onblocked = () => resolve();
  });
  if (self.caches) {
    for (const name of await caches.keys()) await caches.delete(name);
  }
}
