// The shutter worker: turns a frozen camera frame into a JPEG, seals it and puts it in the
// outbox, away from the page's main thread, so the viewfinder and the next shutter stay free.
// A frame is drawn as soon as it arrives, which hands the camera its buffer back, while the
// encoding waits for the photos taken before it: the outbox keeps them in order.

import { JPEG_QUALITY, sealInOutbox } from "./shutter.js";

let queue = Promise.resolve();

// An ImageBitmap is handed over without a copy; a VideoFrame is converted to RGB here.
function drawFrame(frame) {
  if (typeof VideoFrame !== "undefined" && frame instanceof VideoFrame) {
    const canvas = new OffscreenCanvas(frame.displayWidth, frame.displayHeight);
    canvas.getContext("2d").drawImage(frame, 0, 0);
    frame.close();
    return canvas;
  }
  const canvas = new OffscreenCanvas(frame.width, frame.height);
  canvas.getContext("bitmaprenderer").transferFromImageBitmap(frame);
  return canvas;
}

async function keep(message, canvas, timings) {
  const queued = performance.now();
  await queue.catch(() => {});
  const started = performance.now();
  // convertToBlob encodes at once, where the page's canvas.toBlob waits for idle time.
  const image = message.image || await canvas.convertToBlob({ type: "image/jpeg", quality: JPEG_QUALITY });
  const encoded = performance.now();
  const stored = await sealInOutbox(image, message.photo, message.sealing);
  return { ...timings, wait: started - queued, encode: encoded - started, ...stored };
}

self.addEventListener("message", ({ data }) => {
  if (data.type !== "keep") return;
  let job;
  try {
    const drawing = performance.now();
    const canvas = data.frame ? drawFrame(data.frame) : null;
    job = keep(data, canvas, { draw: performance.now() - drawing });
  } catch (error) {
    job = Promise.reject(error);
  }
  queue = job.then(
    (timings) => self.postMessage({ id: data.id, timings }),
    (error) => self.postMessage({ id: data.id, error: error.message || String(error) }),
  );
});

self.postMessage({ type: typeof OffscreenCanvas === "undefined" ? "unsupported" : "ready" });
