// Encrypts a photo in the page before it is stored: a fresh AES-256-GCM key per photo,
// wrapped with the server's RSA-OAEP (SHA-256) transport key. The envelope layout is
// described in storage/transport_key.py; the header is the GCM associated data.

const MAGIC = new TextEncoder().encode("SUTENV1\n");
export const ALGORITHM = "rsa-oaep-256+a256gcm";

function fromBase64(text) {
  const raw = atob(text);
  const bytes = new Uint8Array(raw.length);
  for (let i = 0; i < raw.length; i += 1) bytes[i] = raw.charCodeAt(i);
  return bytes;
}

export async function importTransportKey(spkiBase64) {
  return crypto.subtle.importKey(
    "spki", fromBase64(spkiBase64), { name: "RSA-OAEP", hash: "SHA-256" }, false, ["wrapKey"],
  );
}

export async function sealPhoto(publicKey, keyId, photoBuffer) {
  const dataKey = await crypto.subtle.generateKey({ name: "AES-GCM", length: 256 }, true, ["encrypt"]);
  const wrapped = new Uint8Array(await crypto.subtle.wrapKey("raw", dataKey, publicKey, { name: "RSA-OAEP" }));
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const kid = new TextEncoder().encode(keyId);
  const header = new Uint8Array(MAGIC.length + 1 + kid.length + 2 + wrapped.length + iv.length);
  let at = 0;
  header.set(MAGIC, at); at += MAGIC.length;
  header[at] = kid.length; at += 1;
  header.set(kid, at); at += kid.length;
  header[at] = wrapped.length >> 8; header[at + 1] = wrapped.length & 0xff; at += 2;
  header.set(wrapped, at); at += wrapped.length;
  header.set(iv, at);
  const sealed = await crypto.subtle.encrypt({ name: "AES-GCM", iv, additionalData: header }, dataKey, photoBuffer);
  return new Blob([header, sealed], { type: "application/octet-stream" });
}

export async function pinVerifier(pin, salt, iterations) {
  const material = await crypto.subtle.importKey("raw", new TextEncoder().encode(pin), "PBKDF2", false, ["deriveBits"]);
  const bits = await crypto.subtle.deriveBits({ name: "PBKDF2", hash: "SHA-256", salt, iterations }, material, 256);
  return new Uint8Array(bits);
}
