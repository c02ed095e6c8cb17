// The page behind an external upload link: it can send files, and nothing else.
// Each file gets its own id, so a retry after a dropped connection is stored once.

const HEADER = "X-Sutura-Link";
const token = location.pathname.split("/")[2] || "";
const $ = (id) => document.getElementById(id);
const waiting = [];
const receipts = []; // one entry per chosen file, in the order chosen
let info = null;
let filesLeft = 0;
let sending = false;

function show(section) {
  for (const id of ["opening", "closed", "open"]) $(id).hidden = id !== section;
}

function text(tag, value, className) {
  const node = document.createElement(tag);
  node.textContent = value;
  if (className) node.className = className;
  return node;
}

function newClientId() {
  // crypto.randomUUID exists only in secure contexts; a server on plain http still works.
  if (crypto.randomUUID) return crypto.randomUUID();
  return [...crypto.getRandomValues(new Uint8Array(16))].map((b) => b.toString(16).padStart(2, "0")).join("");
}

function megabytes(bytes) {
  return bytes >= 1048576 ? `${(bytes / 1048576).toFixed(1)} MB` : `${Math.max(1, Math.round(bytes / 1024))} kB`;
}

async function open() {
  let answer;
  try {
    answer = await fetch("/api/v1/link", { headers: { [HEADER]: token }, cache: "no-store" });
  } catch {
    $("opening").firstElementChild.textContent = "No connection. Trying again…";
    setTimeout(open, 5000);
    return;
  }
  if (!answer.ok) {
    show("closed");
    return;
  }
  info = await answer.json();
  filesLeft = info.files_left;
  const from = info.cluster ? `${info.inviter} (${info.cluster})` : info.inviter;
  $("ask").textContent = `${from} asks you to send photos`;
  if (info.label) {
    $("purpose").textContent = `For: ${info.label}`;
    $("purpose").hidden = false;
  }
  if (info.message) {
    $("message").textContent = info.message;
    $("message").hidden = false;
  }
  refreshLimits();
  show("open");
}

function refreshLimits() {
  const until = new Date(info.expires_at).toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" });
  $("limits").textContent = filesLeft > 0
    ? `You can send ${filesLeft} more file${filesLeft === 1 ? "" : "s"} (up to ${megabytes(info.max_file_bytes)} each) until ${until}.`
    : "This link has taken all the files it may take.";
  for (const label of document.querySelectorAll(".pickers label")) {
    label.classList.toggle("disabled", filesLeft <= 0);
  }
}

function enqueue(fileList) {
  for (const file of fileList) {
    const li = document.createElement("li");
    const progress = document.createElement("progress");
    progress.max = 1;
    progress.value = 0;
    const state = text("div", "Waiting to send", "state");
    li.append(text("div", file.name || "photo", "name"), progress, state);
    $("queue").append(li);
    const item = { file, clientId: newClientId(), progress, state, tries: 0, name: file.name || "photo" };
    receipts.push({ item, kind: null });
    if (file.size > info.max_file_bytes) {
      finish(item, "bad", `Refused: larger than ${megabytes(info.max_file_bytes)}.`);
      continue;
    }
    if (filesLeft - waiting.length <= 0) {
      // Sending it would only be refused: the link has no room left for another file.
      finish(item, "bad", "Not sent: this link takes no more files. Ask the colleague who sent it for a new link.");
      continue;
    }
    waiting.push(item);
  }
  sendNext();
}

function finish(item, kind, message, receipt) {
  item.state.textContent = message;
  item.state.className = `state ${kind}`;
  item.progress.hidden = true;
  Object.assign(receipts.find((entry) => entry.item === item), { kind, message, receipt });
  renderReceipt();
}

async function sendNext() {
  if (sending) return;
  sending = true;
  while (waiting.length) {
    const item = waiting[0];
    const outcome = await send(item);
    if (outcome.closed) {  // the link stopped taking files: the rest are not sent either
      waiting.shift();
      for (const rest of waiting.splice(0)) finish(rest, "bad", `Not sent: ${outcome.closed}`);
      break;
    }
    if (outcome === "retry" || outcome.retryAfter) {
      const delay = outcome.retryAfter ? outcome.retryAfter * 1000 : Math.min(30, 2 ** item.tries) * 1000;
      item.state.textContent = navigator.onLine
        ? `Connection trouble; trying again in ${Math.round(delay / 1000)} s`
        : "Offline; sending when the connection returns";
      await pause(delay);
      continue;
    }
    waiting.shift();
  }
  sending = false;
}

function pause(ms) {
  return new Promise((resolve) => {
    const done = () => { window.removeEventListener("online", done); resolve(); };
    window.addEventListener("online", done);
    setTimeout(done, ms);
  });
}

function send(item) {
  item.tries += 1;
  item.state.textContent = "Sending…";
  item.state.className = "state";
  const form = new FormData();
  form.append("client_id", item.clientId);
  form.append("file", item.file, item.name);
  return new Promise((resolve) => {
    const request = new XMLHttpRequest();
    request.open("POST", "/api/v1/link/files");
    request.setRequestHeader(HEADER, token);
    request.upload.onprogress = (event) => {
      if (event.lengthComputable) item.progress.value = event.loaded / event.total;
    };
    request.onerror = () => resolve(item.tries < 12 ? "retry" : giveUp(item));
    request.ontimeout = request.onerror;
    request.onload = () => {
      const status = request.status;
      let body = {};
      try { body = JSON.parse(request.responseText); } catch { body = {}; }
      if (status === 200 || status === 202) {
        item.progress.value = 1;
        if (status === 202) filesLeft -= 1;
        refreshLimits();
        item.state.textContent = "Received; being checked…";
        watch(item, body);
        resolve("done");
      } else if (status === 429 && item.tries < 12) {  // too many at once: wait as told
        resolve({ retryAfter: Math.min(600, Number(request.getResponseHeader("Retry-After")) || 30) });
      } else if ((status >= 500 || status === 408) && item.tries < 12) {
        resolve("retry");
      } else {
        const reason = body.detail || `error ${status}`;
        finish(item, "bad", `Not sent: ${reason}`);
        if (status === 410) {
          filesLeft = 0;
          refreshLimits();
          resolve({ closed: reason });
        } else {
          resolve("done");
        }
      }
    };
    request.send(form);
  });
}

function giveUp(item) {
  finish(item, "bad", "Not sent: the connection kept failing. Choose the file again to retry.");
  return "done";
}

async function watch(item, receipt) {
  for (let round = 0; round < 60; round += 1) {
    if (receipt.status === "ready") return finish(item, "ok", "Received and accepted", receipt);
    if (receipt.status === "discarded") return finish(item, "ok", "Received", receipt);
    if (receipt.status === "rejected") {
      return finish(item, "bad", `Refused: ${receipt.reason || "not a photo we can accept"}`, receipt);
    }
    await pause(2000);
    try {
      const answer = await fetch(`/api/v1/link/files/${receipt.id}`, { headers: { [HEADER]: token }, cache: "no-store" });
      if (!answer.ok) break;
      receipt = await answer.json();
    } catch {
      // offline for a moment: ask again next round
    }
  }
  finish(item, "ok", "Received; the check finishes later", receipt);
}

function renderReceipt() {
  const rows = $("receipt-rows");
  rows.replaceChildren();
  const done = receipts.filter((entry) => entry.kind !== null);
  for (const { item, message, receipt } of done) {
    const row = document.createElement("tr");
    row.append(
      text("td", item.name),
      text("td", megabytes(item.file.size)),
      text("td", receipt ? receipt.received_at.replace("T", " ").slice(0, 19) : ""),
      text("td", receipt ? receipt.sha256.slice(0, 16) : ""),
      text("td", message),
    );
    rows.append(row);
  }
  const accepted = done.filter((entry) => entry.receipt?.status === "ready").length;
  const later = done.filter((entry) => entry.kind === "ok").length - accepted;
  const busy = receipts.length - done.length;
  const parts = [`${accepted} of ${receipts.length} file${receipts.length === 1 ? "" : "s"} accepted`];
  if (later) parts.push(`${later} received and still being checked`);
  $("receipt-summary").textContent = `${parts.join("; ")}. ${busy
    ? `${busy} still on the way: keep this page open.`
    : "You may close this page."}`;
  $("receipt").hidden = done.length === 0;
}

window.addEventListener("beforeunload", (event) => {
  // Closing the page now would lose the files still being sent.
  if (waiting.length) event.preventDefault();
});

for (const id of ["camera", "files"]) {
  $(id).addEventListener("change", (event) => {
    enqueue([...event.target.files]);
    event.target.value = "";
  });
}

open();
