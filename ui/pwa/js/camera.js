// The camera in the page: rear camera at the highest resolution offered, torch where the
// device has one, and capture of a frame as JPEG. Nothing is written to the gallery.

import { _ } from "./i18n.js";

const IDEAL = { facingMode: { ideal: "environment" }, width: { ideal: 4096 }, height: { ideal: 3072 } };

export function hasCameraApi() {
  return Boolean(navigator.mediaDevices && navigator.mediaDevices.getUserMedia);
}

export async function openCamera(video) {
  const stream = await navigator.mediaDevices.getUserMedia({ video: IDEAL, audio: false });
  video.srcObject = stream;
  await video.play();
  const [track] = stream.getVideoTracks();
  const capabilities = track.getCapabilities ? track.getCapabilities() : {};
  return {
    hasTorch: Boolean(capabilities.torch),
    setTorch: (on) => track.applyConstraints({ advanced: [{ torch: on }] }),
    takePhoto: await stillCapture(track),
    stop: () => stream.getTracks().forEach((t) => t.stop()),
  };
}

// Where the browser has ImageCapture (Chrome on Android), the camera's own full-resolution
// JPEG: no re-encoding in the page. Elsewhere (Safari) the caller encodes a video frame.
async function stillCapture(track) {
  if (typeof ImageCapture === "undefined") return null;
  try {
    const capture = new ImageCapture(track);
    const photo = await capture.getPhotoCapabilities();
    const settings = { imageWidth: photo.imageWidth.max, imageHeight: photo.imageHeight.max };
    return async () => {
      const blob = await capture.takePhoto(settings);
      return blob.type === "image/jpeg" ? blob : null;
    };
  } catch {
    return null;
  }
}

// Freezes the current frame at once (the shutter feels immediate) for the shutter worker: a
// VideoFrame holds the camera's buffer without converting it, so the page spends no time.
export async function grabFrame(video) {
  if (typeof VideoFrame === "function") return new VideoFrame(video);
  return createImageBitmap(video);
}

// The same in a canvas, for browsers that cannot encode in a worker.
export function grabCanvas(video) {
  const canvas = document.createElement("canvas");
  canvas.width = video.videoWidth;
  canvas.height = video.videoHeight;
  canvas.getContext("2d").drawImage(video, 0, 0);
  return canvas;
}

export function encodeJpeg(canvas, quality) {
  return new Promise((resolve, reject) => {
    canvas.toBlob((blob) => (blob ? resolve(blob) : reject(new Error(_("The frame could not be encoded.")))),
      "image/jpeg", quality);
  });
}
