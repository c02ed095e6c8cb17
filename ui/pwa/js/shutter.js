// After the shutter: the frame is frozen at once and handed to the shutter worker, which
// encodes, seals and stores it; the page only waits for its answer. Where the browser cannot
// encode in a worker, the page does the same work itself and is held while it copies the frame.

import { encodeJpeg, grabCanvas, grabFrame } from "./camera.js";
import { _ } from "./i18n.js";
import { sealPhoto } from "./seal.js";
import { outbox } from "./store.js";

export const JPEG_QUALITY = 0.92;  // clinical photos: fine detail matters more than size
const WORKER_URL = "/app/js/shutter-worker.js";
const waiting = new Map();
let started = null;
let lastId = 0;

function answer({ id, timings, error }) {
  const job = waiting.get(id);
  if (!job) return;
  waiting.delete(id);
  if (error) job.reject(new Error(error));
  else job.resolve(timings);
}

function launch() {
  if (typeof Worker === "undefined") return Promise.resolve(null);
  return new Promise((resolve) => {
    const worker = new Worker(WORKER_URL, { type: "module" });
    worker.addEventListener("message", ({ data }) => {
      if (data.type === "ready") resolve(worker);
      else if (data.type === "unsupported") resolve(null);
      else answer(data);
    });
    worker.addEventListener("error", (event) => {
      event.preventDefault();
      resolve(null);  // no worker: the page encodes, from the next photo on
      started = Promise.resolve(null);
      for (const id of waiting.keys()) answer({ id, error: _("The photo worker stopped.") });
    });
  });
}

// The worker, once it has loaded, or null where the page must do the work.
export function startShutterWorker() {
  if (!started) started = launch();
  return started;
}

// The camera's own JPEG where it gives one, else the current video frame, not yet encoded.
export async function grabStill(camera, video) {
  if (camera.takePhoto) {
    const image = await camera.takePhoto().catch(() => undefined);
    if (image) return { image };
    if (image === null) camera.takePhoto = null;  // no JPEG stills here: video frames from now on
  }
  if (await startShutterWorker()) return { frame: await grabFrame(video) };
  return { canvas: grabCanvas(video) };
}

// Keeps a still (from grabStill, or { image } for a picked file) in the outbox, encrypted.
// Resolves with how long each step took, in milliseconds.
export async function keepStill(still, photo, sealing) {
  const began = performance.now();
  const taken = await still;
  const grabbed = performance.now();
  const worker = taken.canvas ? null : await startShutterWorker();
  const timings = worker ? await inWorker(worker, taken, photo, sealing) : await inPage(taken, photo, sealing);
  return { grab: grabbed - began, ...timings, total: performance.now() - began };
}

function inWorker(worker, { frame, image }, photo, sealing) {
  lastId += 1;
  const id = lastId;
  return new Promise((resolve, reject) => {
    waiting.set(id, { resolve, reject });
    worker.postMessage({ type: "keep", id, frame, image, photo, sealing }, frame ? [frame] : []);
  });
}

async function inPage({ canvas, frame, image }, photo, sealing) {
  const began = performance.now();
  const encoded = image || await encodeJpeg(canvas || drawFrame(frame), JPEG_QUALITY);
  const took = performance.now() - began;
  return { encode: took, ...(await sealInOutbox(encoded, photo, sealing)) };
}

// A frame grabbed for a worker that has stopped since.
function drawFrame(frame) {
  const canvas = document.createElement("canvas");
  canvas.width = frame.displayWidth || frame.width;
  canvas.height = frame.displayHeight || frame.height;
  canvas.getContext("2d").drawImage(frame, 0, 0);
  frame.close();
  return canvas;
}

// Shared by the page and the worker: seal the image and store the envelope with the photo.
export async function sealInOutbox(image, photo, { publicKey, keyId }) {
  const began = performance.now();
  const envelope = await sealPhoto(publicKey, keyId, await image.arrayBuffer());
  const sealed = performance.now();
  await outbox.put({ ...photo, envelope, size: envelope.size });
  return { seal: sealed - began, store: performance.now() - sealed };
}
