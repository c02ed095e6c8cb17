"""Phone app benchmark in headless Chromium against a local server started for the run.

1. Shutter to encrypted-in-outbox for a 12 MP frame, through the app's own modules: the
   fake camera plays a 12 MP phone photo as video (a Y4M file), and each shot runs the
   code the shutter runs (shutter.js: grab, encode in the shutter worker, seal, store).
   Timed as well: the page's own fallback path (the way every shot went before the worker)
   and the camera's own JPEG (the ImageCapture path, where no encoding is needed), then
   shots in a row. Target: under 300 ms (median of 9 after a warm-up).
2. Upload throughput of the outbox (the app's flush) against a plain multipart upload of
   the same photo to the same route, both waiting for every acknowledgement (202). Each
   round runs three legs in rotating order: plain, outbox and plain again; the outbox is
   compared with the mean of the round's two plain legs, and the two plain legs with each
   other to show the noise. A leg is timed to its last acknowledgement (Resource Timing,
   the same for both) and, for the outbox, also until it is empty (envelopes deleted).
   Before each leg the server finishes processing the photos already sent (untimed);
   processing still starts within a leg, as it would in use. Target: the outbox adds
   under 10% to the last acknowledgement.

Run `python bench/capture.py`. Figures are printed; nothing is asserted.
"""

import asyncio
import base64
import os
import statistics
import sys
import tempfile
from pathlib import Path
from typing import Any

from PIL import Image
from playwright.async_api import Page

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.e2e.phone import EMAIL, PASSWORD, chromium, new_phone, set_pin, sign_in  # noqa: E402
from tests.server import Server, create_admin, free_port  # noqa: E402

PHOTO_12MP = ROOT / "tests" / "data" / "photos" / "phone_samsung_galaxy_s7edge_12mp_gps.jpg"
SHUTTER_RUNS = 9
BURST = 5
BURST_GAP_MS = 150
ROUNDS = 15  # a multiple of 3: each leg comes first, second and third equally often
PHOTOS_PER_LEG = 6
LEGS = ("plain", "outbox", "plain again")
STEPS = ("grab", "draw", "encode", "seal", "store", "total")

SHUTTER_JS = """async ({ photo, runs, burst, gap }) => {
  const { grabCanvas, openCamera } = await import("/app/js/camera.js");
  const { importTransportKey } = await import("/app/js/seal.js");
  const { grabStill, keepStill, startShutterWorker } = await import("/app/js/shutter.js");
  const { kv, outbox } = await import("/app/js/store.js");
  const video = document.createElement("video");
  video.muted = true;
  document.body.append(video);
  const camera = await openCamera(video);
  camera.takePhoto = null;  // video frames, as on phones without ImageCapture (Safari)
  const key = await kv.get("transportKey");
  const sealing = { publicKey: await importTransportKey(key.spki), keyId: key.key_id };
  await startShutterWorker();
  const jpeg = new Blob([Uint8Array.from(atob(photo), (c) => c.charCodeAt(0))]);
  const paths = {
    worker: () => grabStill(camera, video),
    page: async () => ({ canvas: grabCanvas(video) }),
    camera: async () => ({ image: jpeg }),
  };
  const shoot = async (path, clientId) => {
    const began = performance.now();
    let grabbed = began;
    const still = paths[path]().then((s) => { grabbed = performance.now(); return s; });
    const taken = { clientId, seriesId: "none", phase: "pre_op", view: "x",
      capturedAt: new Date().toISOString() };
    const timings = await keepStill(still, taken, sealing);
    await outbox.delete(clientId);
    return { ...timings, grab: grabbed - began, total: performance.now() - began, began };
  };
  const results = { worker: [], page: [], camera: [] };
  for (let run = 0; run <= runs; run += 1) {
    for (const path of Object.keys(paths)) {
      const timings = await shoot(path, `bench-${path}-${run}`);
      if (run > 0) results[path].push(timings);
    }
  }
  let frames = 0;
  const count = () => { frames += 1; video.requestVideoFrameCallback(count); };
  video.requestVideoFrameCallback(count);
  const burstBegan = performance.now();
  const shots = [];
  for (let i = 0; i < burst; i += 1) {
    shots.push(shoot("worker", `burst-${i}`));
    await new Promise((resolve) => setTimeout(resolve, gap));
  }
  const done = await Promise.all(shots);
  const elapsed = performance.now() - burstBegan;
  results.burst = { last: Math.max(...done.map((t) => t.began + t.total)) - done[burst - 1].began,
    grab: Math.max(...done.map((t) => t.grab)), fps: frames / (elapsed / 1000) };
  camera.stop();
  return results;
}"""

SERIES_JS = """async () => {
  const { api } = await import("/app/js/api.js");
  const me = await api("GET", "/me");
  const cluster = me.memberships[0].cluster_id;
  const patient = await api("POST", "/patients/acute", { cluster_id: cluster });
  const series = await api("POST", `/patients/${patient.id}/series`,
    { body_site: "lower_leg", side: "left", diagnoses: ["DC437"] });
  await api("POST", `/series/${series.id}/consents`,
    { scopes: ["clinical_documentation"], given_by: "patient", method: "verbal" });
  return series.id;
}"""

# Untimed, before every leg: the server has processed every photo sent so far.
SETTLE_JS = """async ({ seriesId }) => {
  const { api } = await import("/app/js/api.js");
  for (;;) {
    const series = await api("GET", `/series/${seriesId}`);
    if (series.photos.every((p) => !["received", "processing"].includes(p.status))) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}"""

LOAD_JS = """({ photo }) => {
  window.benchPhoto = Uint8Array.from(atob(photo), (c) => c.charCodeAt(0));
  window.lastAcknowledgement = (began) => {
    const uploads = performance.getEntriesByType("resource")
      .filter((e) => e.name.endsWith("/photos"));
    return Math.max(...uploads.map((e) => e.responseEnd)) - began;
  };
}"""

# Both sides start with their bytes in Blobs: the outbox's envelopes were stored at capture.
PLAIN_JS = """async ({ seriesId, count, leg }) => {
  const files = [];
  for (let i = 0; i < count; i += 1) files.push(new Blob([window.benchPhoto]));
  performance.clearResourceTimings();
  const began = performance.now();
  for (let i = 0; i < count; i += 1) {
    const form = new FormData();
    form.append("phase", "pre_op"); form.append("view", "face_frontal");
    form.append("client_id", `${leg}-${i}`);
    form.append("file", files[i], "photo.jpg");
    const url = `/api/v1/series/${seriesId}/photos`;
    const response = await fetch(url, { method: "POST", body: form });
    await response.text();
    if (!response.ok) throw new Error(`plain upload: ${response.status}`);
  }
  const done = performance.now() - began;
  return { acknowledged: lastAcknowledgement(began), done };
}"""

# Untimed, before an outbox leg: the photos are sealed and stored as at capture.
CAPTURE_JS = """async ({ seriesId, count, leg }) => {
  const { importTransportKey } = await import("/app/js/seal.js");
  const { sealInOutbox } = await import("/app/js/shutter.js");
  const { kv } = await import("/app/js/store.js");
  const key = await kv.get("transportKey");
  const sealing = { publicKey: await importTransportKey(key.spki), keyId: key.key_id };
  for (let i = 0; i < count; i += 1) {
    const photo = { clientId: `${leg}-${i}`, seriesId, phase: "pre_op", view: "face_frontal",
      capturedAt: new Date().toISOString() };
    await sealInOutbox(new Blob([window.benchPhoto]), photo, sealing);
  }
}"""

OUTBOX_JS = """async () => {
  const { flush } = await import("/app/js/outbox.js");
  const { outbox } = await import("/app/js/store.js");
  performance.clearResourceTimings();
  const began = performance.now();
  await flush();
  const done = performance.now() - began;
  if ((await outbox.count()) !== 0) throw new Error("the outbox did not empty");
  return { acknowledged: lastAcknowledgement(began), done };
}"""


def write_y4m(jpeg: Path, target: Path) -> None:
    """One 4:2:0 frame for Chromium's file-backed fake camera, which loops it as video."""
    with Image.open(jpeg) as image:
        luma, blue, red = image.convert("YCbCr").split()
    half = (luma.width // 2, luma.height // 2)
    header = f"YUV4MPEG2 W{luma.width} H{luma.height} F30:1 Ip A1:1 C420jpeg\nFRAME\n"
    with target.open("wb") as out:
        out.write(header.encode())
        for plane in (luma, blue.resize(half), red.resize(half)):
            out.write(plane.tobytes())


def spread(values: list[float]) -> str:
    low, high = min(values), max(values)
    return f"{statistics.median(values):7.1f} ({low:.0f}-{high:.0f})"


def load_average() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


async def run(base: str, y4m: Path) -> None:
    photo = base64.b64encode(PHOTO_12MP.read_bytes()).decode()
    async with chromium(f"--use-file-for-fake-video-capture={y4m}") as browser:
        _, page = await new_phone(browser)
        await sign_in(page, base)
        await set_pin(page)
        await page.locator("#start-capture").wait_for()

        arguments = {"photo": photo, "runs": SHUTTER_RUNS, "burst": BURST, "gap": BURST_GAP_MS}
        report_shutter(await page.evaluate(SHUTTER_JS, arguments))
        print(f"load average after the shutter part: {load_average()}")
        report_upload(await upload_legs(page, photo), len(PHOTO_12MP.read_bytes()) * PHOTOS_PER_LEG)
        print(f"load average after: {load_average()}")


async def upload_legs(page: Page, photo: str) -> dict[str, list[dict[str, float]]]:
    series_id = await page.evaluate(SERIES_JS)
    await page.evaluate(LOAD_JS, {"photo": photo})
    legs: dict[str, list[dict[str, float]]] = {leg: [] for leg in LEGS}
    for number in range(ROUNDS):
        for leg in LEGS[number % 3 :] + LEGS[: number % 3]:
            arguments = {"seriesId": series_id, "count": PHOTOS_PER_LEG}
            arguments["leg"] = f"{leg.replace(' ', '-')}-{number}"
            if leg == "outbox":
                await page.evaluate(CAPTURE_JS, arguments)
            await page.evaluate(SETTLE_JS, {"seriesId": series_id})
            script = OUTBOX_JS if leg == "outbox" else PLAIN_JS
            legs[leg].append(await page.evaluate(script, arguments))
    return legs


def report_shutter(shots: dict[str, Any]) -> None:
    count = len(shots["worker"])
    print(f"shutter to encrypted-in-outbox, 12 MP video frame, ms, median (min-max) of {count}:")
    print("  " + " ".join(f"{step:>15s}" for step in ("path", *STEPS)))
    labels = {"worker": "shutter worker", "page": "page (fallback)", "camera": "camera JPEG"}
    for path, label in labels.items():
        cells = [
            spread([s[step] for s in shots[path]]) if step in shots[path][0] else "-"
            for step in STEPS
        ]
        print("  " + " ".join(f"{cell:>15s}" for cell in (label, *cells)))
    total = statistics.median(s["total"] for s in shots["worker"])
    verdict = "met" if total < 300 else "NOT met"
    print(f"  target under 300 ms for a video frame: {verdict} (median {total:.0f} ms)")
    burst = shots["burst"]
    print(
        f"  {BURST} shots {BURST_GAP_MS} ms apart: all stored {burst['last']:.0f} ms after"
        f" the last shutter; grab at most {burst['grab']:.1f} ms; viewfinder {burst['fps']:.0f}"
        f" frames/s meanwhile"
    )


def report_upload(legs: dict[str, list[dict[str, float]]], total_bytes: int) -> None:
    megabytes = total_bytes / 2**20
    print(
        f"upload of {PHOTOS_PER_LEG} photos ({megabytes:.1f} MB) per leg, {ROUNDS} rounds,"
        " ms to the last acknowledgement, median (min-max):"
    )
    for leg, times in legs.items():
        acknowledged = [t["acknowledged"] for t in times]
        rate = megabytes / statistics.median(acknowledged) * 1000
        line = f"  {leg:12s} {spread(acknowledged)}  {rate:5.1f} MB/s"
        if leg == "outbox":
            line += f"; until the outbox is empty {spread([t['done'] for t in times])}"
        print(line)
    acknowledged = overhead(legs, "acknowledged")
    verdict = "met" if statistics.median(acknowledged) < 10 else "NOT met"
    print(f"  outbox overhead, to the last acknowledgement: {quartiles(acknowledged)}")
    print(f"    target under 10%: {verdict}")
    print(f"  outbox overhead, until the outbox is empty: {quartiles(overhead(legs, 'done'))}")
    noise = [
        (again["acknowledged"] / first["acknowledged"] - 1) * 100
        for again, first in zip(legs["plain again"], legs["plain"], strict=True)
    ]
    print(f"  noise, plain again against plain: {quartiles(noise)}")


def overhead(legs: dict[str, list[dict[str, float]]], key: str) -> list[float]:
    """Per round, the outbox against the mean of the round's two plain legs, in percent."""
    rounds = zip(legs["outbox"], legs["plain"], legs["plain again"], strict=True)
    return [(o[key] / ((p[key] + a[key]) / 2) - 1) * 100 for o, p, a in rounds]


def quartiles(percents: list[float]) -> str:
    low, _, high = statistics.quantiles(percents, n=4)
    return f"median {statistics.median(percents):+.1f}% (quartiles {low:+.1f}% to {high:+.1f}%)"


def main() -> int:
    print(f"load average before the bench started anything: {load_average()}")
    with tempfile.TemporaryDirectory() as folder:
        y4m = Path(folder) / "camera.y4m"
        write_y4m(PHOTO_12MP, y4m)
        data_dir = Path(folder) / "data"
        create_admin(data_dir, EMAIL, PASSWORD, "Bench")
        port = free_port()
        server = Server(
            data_dir,
            port=port,
            SUTURA_PUBLIC_URL=f"http://localhost:{port}",
            SUTURA_LOG_LEVEL="WARNING",
        )
        try:
            asyncio.run(run(f"http://localhost:{port}", y4m))
        finally:
            server.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
