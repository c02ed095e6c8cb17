// The page behind an external upload link: it can send files, and nothing else.
// Each file gets its own id, so a retry after a dropped connection is stored once.
// It speaks the browser's language (Danish or English); its Danish is the `link` catalog.

import { _, chooseLanguage, currentLanguage, formatMoment, formatNumber, ngettext, useLanguage } from "/app/js/i18n.js";

const HEADER = "X-Sutura-Link";
const token = location.pathname.split("/")[2] || "";
const $ = (id) => document.getElementById(id);
const waiting = [];
const receipts = []; // one entry per chosen file, in the order chosen
let info = null;
let filesLeft = 0;
let sending = false;

// The link's token, and the page's language for the server's messages.
function headers() {
  return { [HEADER]: token, "Accept-Language": currentLanguage() };
}

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
  if (bytes < 1048576) return `${formatNumber(Math.max(1, Math.round(bytes / 1024)))} kB`;
  return `${formatNumber(bytes / 1048576, { minimumFractionDigits: 1, maximumFractionDigits: 1 })} MB`;
}

async function open() {
  let answer;
  try {
    answer = await fetch("/api/v1/link", { headers: headers(), cache: "no-store" });
  } catch {
    $("opening").firstElementChild.textContent = _("No connection. Trying again…");
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
  $("ask").textContent = _("%(sender)s asks you to send photos", { sender: from });
  if (info.label) {
    $("purpose").textContent = _("For: %(label)s", { label: info.label });
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
  const until = formatMoment(new Date(info.expires_at));
  $("limits").textContent = filesLeft > 0
    ? ngettext("You can send %(count)s more file (up to %(size)s each) until %(until)s.",
      "You can send %(count)s more files (up to %(size)s each) until %(until)s.", filesLeft,
      { size: megabytes(info.max_file_bytes), until })
    : _("This link has taken all the files it may take.");
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
    const name = file.name || _("photo");
    const state = text("div", _("Waiting to send"), "state");
    li.append(text("div", name, "name"), progress, state);
    $("queue").append(li);
    const item = { file, clientId: newClientId(), progress, state, tries: 0, name };
    receipts.push({ item, kind: null });
    if (file.size > info.max_file_bytes) {
      finish(item, "bad", _("Refused: larger than %(size)s.", { size: megabytes(info.max_file_bytes) }));
      continue;
    }
    if (filesLeft - waiting.length <= 0) {
      // Sending it would only be refused: the link has no room left for another file.
      finish(item, "bad", _("Not sent: this link takes no more files. Ask the colleague who sent it for a new link."));
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
      for (const rest of waiting.splice(0)) finish(rest, "bad", _("Not sent: %(reason)s", { reason: outcome.closed }));
      break;
    }
    if (outcome === "retry" || outcome.retryAfter) {
      const delay = outcome.retryAfter ? outcome.retryAfter * 1000 : Math.min(30, 2 ** item.tries) * 1000;
      item.state.textContent = navigator.onLine
        ? _("Connection trouble; trying again in %(seconds)s s", { seconds: Math.round(delay / 1000) })
        : _("Offline; sending when the connection returns");
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
  item.state.textContent = _("Sending…");
  item.state.className = "state";
  const form = new FormData();
  form.append("client_id", item.clientId);
  form.append("file", item.file, item.name);
  return new Promise((resolve) => {
    const request = new XMLHttpRequest();
    request.open("POST", "/api/v1/link/files");
    for (const [name, value] of Object.entries(headers())) request.setRequestHeader(name, value);
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
        item.state.textContent = _("Received; being checked…");
        watch(item, body);
        resolve("done");
      } else if (status === 429 && item.tries < 12) {  // too many at once: wait as told
        resolve({ retryAfter: Math.min(600, Number(request.getResponseHeader("Retry-After")) || 30) });
      } else if ((status >= 500 || status === 408) && item.tries < 12) {
        resolve("retry");
      } else {
        const reason = body.detail || _("error %(status)s", { status: String(status) });
        finish(item, "bad", _("Not sent: %(reason)s", { reason }));
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
  finish(item, "bad", _("Not sent: the connection kept failing. Choose the file again to retry."));
  return "done";
}

async function watch(item, receipt) {
  for (let round = 0; round < 60; round += 1) {
    if (receipt.status === "ready") return finish(item, "ok", _("Received and accepted"), receipt);
    if (receipt.status === "discarded") return finish(item, "ok", _("Received"), receipt);
    if (receipt.status === "rejected") {
      const reason = receipt.reason || _("not a photo we can accept");
      return finish(item, "bad", _("Refused: %(reason)s", { reason }), receipt);
    }
    await pause(2000);
    try {
      const answer = await fetch(`/api/v1/link/files/${receipt.id}`, { headers: headers(), cache: "no-store" });
      if (!answer.ok) break;
      receipt = await answer.json();
    } catch {
      // offline for a moment: ask again next round
    }
  }
  finish(item, "ok", _("Received; the check finishes later"), receipt);
}

function renderReceipt() {
  const rows = $("receipt-rows");
  rows.replaceChildren();
  const done = receipts.filter((entry) => entry.kind !== null);
  for (const { item, message, receipt } of done) {
    const row = document.createElement("tr");
    const check = text("td", receipt ? receipt.sha256.slice(0, 16) : "");
    check.dataset.label = _("check");  // its heading on a phone, where the table is folded
    row.append(
      text("td", item.name),
      text("td", megabytes(item.file.size)),
      text("td", receipt ? formatMoment(new Date(receipt.received_at)) : ""),
      check,
      text("td", message),
    );
    rows.append(row);
  }
  const accepted = done.filter((entry) => entry.receipt?.status === "ready").length;
  const later = done.filter((entry) => entry.kind === "ok").length - accepted;
  const busy = receipts.length - done.length;
  const parts = [ngettext("%(accepted)s of %(count)s file accepted", "%(accepted)s of %(count)s files accepted",
    receipts.length, { accepted })];
  if (later) {
    parts.push(ngettext("%(count)s received and still being checked", "%(count)s received and still being checked",
      later));
  }
  const next = busy
    ? ngettext("%(count)s still on the way: keep this page open.", "%(count)s still on the way: keep this page open.",
      busy)
    : _("You may close this page.");
  $("receipt-summary").textContent = `${parts.join("; ")}. ${next}`;
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

await useLanguage(chooseLanguage(null), (language) => `/x-assets/i18n/${language}.json`);
open();
