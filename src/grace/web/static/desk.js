// grace desk: keyboard navigation, timed reveals, export. Plain JavaScript, no libraries,
// nothing fetched from outside this server.
"use strict";

function csrfToken() {
  const meta = document.querySelector('meta[name="csrf-token"]');
  return meta ? meta.content : "";
}

function postJson(url, body) {
  return fetch(url, {
    method: "POST",
    credentials: "same-origin",
    headers: { "Content-Type": "application/json", "X-CSRF-Token": csrfToken() },
    body: JSON.stringify(body || {}),
  }).then(async (response) => {
    const data = await response.json().catch(() => ({}));
    if (!response.ok) throw new Error(data.detail || data.error || response.statusText);
    return data;
  });
}

// Texts in the page's language, given by the server as JSON data blocks (not scripts).
function texts(id) {
  const block = document.getElementById(id);
  try { return block ? JSON.parse(block.textContent) : {}; } catch (e) { return {}; }
}

function fill(template, values) {
  return (template || "").replace(/\{(\w+)\}/g, (_, key) => (key in values ? values[key] : ""));
}

function typing(event) {
  const t = event.target;
  return t.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(t.tagName);
}

// Queue: j/k move, Enter opens, / focuses the filter bar; rows open on click.
function setupQueue() {
  const rows = Array.from(document.querySelectorAll("table.queue tbody tr"));
  let current = -1;
  function select(index) {
    if (!rows.length) return;
    current = Math.max(0, Math.min(rows.length - 1, index));
    rows.forEach((row, i) => row.classList.toggle("selected", i === current));
    rows[current].setAttribute("aria-selected", "true");
    rows[current].scrollIntoView({ block: "nearest" });
  }
  rows.forEach((row, i) => {
    row.addEventListener("click", (event) => {
      if (event.target.closest("a")) return;
      select(i);
      window.location.href = row.dataset.href;
    });
  });
  document.addEventListener("keydown", (event) => {
    if (event.metaKey || event.ctrlKey || event.altKey) return;
    if (event.key === "/" && !typing(event)) {
      const field = document.getElementById("filter-focus");
      if (field) { event.preventDefault(); field.focus(); field.select && field.select(); }
      return;
    }
    if (typing(event) || !rows.length) return;
    if (event.key === "j") { event.preventDefault(); select(current + 1); }
    else if (event.key === "k") { event.preventDefault(); select(current - 1); }
    else if (event.key === "Enter" && current >= 0) {
      event.preventDefault();
      window.location.href = rows[current].dataset.href;
    }
  });
}

// Media wall: one click shows one item in colour, then the blur comes back.
function setupWall() {
  const wall = document.getElementById("wall");
  if (!wall) return;
  const seconds = Number(wall.dataset.revealSeconds || 5);
  wall.addEventListener("click", (event) => {
    const button = event.target.closest("button.reveal");
    if (button) reveal(button, seconds);
    const download = event.target.closest("a.download-original");
    if (download) confirmDownload(event, download);
  });
  wall.addEventListener("keydown", (event) => {
    if (event.key !== "r" || typing(event)) return;
    const button = event.target.closest(".tile") && event.target.closest(".tile").querySelector("button.reveal");
    if (button) reveal(button, seconds);
  });
}

// A categorised item's original: ask first; the server records the download like a reveal.
function confirmDownload(event, link) {
  event.preventDefault();
  if (!window.confirm(link.dataset.confirm)) return;
  window.location.href = `${link.getAttribute("href")}?confirm=true`;
}

function reveal(button, seconds) {
  const t = texts("wall-text");
  const tile = button.closest(".tile");
  const images = Array.from(tile.querySelectorAll("img.blurred"));
  button.disabled = true;
  postJson(`/api/v1/media/${button.dataset.sha256}/reveal`, { referral_id: Number(tile.dataset.referral) })
    .then((data) => {
      images.forEach((img, i) => {
        if (data.images[i]) { img.src = data.images[i]; img.classList.add("revealed"); }
      });
      const counter = document.getElementById("exposure-count");
      if (counter && data.exposure_today !== undefined) counter.textContent = data.exposure_today;
      let left = data.seconds || seconds;
      button.textContent = fill(t.blurring, { s: left });
      const timer = setInterval(() => {
        left -= 1;
        button.textContent = fill(t.blurring, { s: left });
        if (left <= 0) {
          clearInterval(timer);
          images.forEach((img) => { img.src = img.dataset.blurred; img.classList.remove("revealed"); });
          button.textContent = fill(t.reveal, { s: seconds });
          button.disabled = false;
        }
      }, 1000);
    })
    .catch((error) => { button.textContent = fill(t.failed, { e: error.message }); button.disabled = false; });
}

// Referral page: export a signed package for the receiving agency.
function setupExport() {
  const button = document.getElementById("export-button");
  if (!button) return;
  const result = document.getElementById("export-result");
  const t = texts("export-text");
  button.addEventListener("click", () => {
    button.disabled = true;
    result.hidden = false;
    result.className = "notice";
    result.textContent = t.building;
    postJson("/api/v1/exports", { referral_ids: [Number(button.dataset.referral)] })
      .then((data) => {
        result.textContent = "";
        const name = `grace-export-${data.id}.zip`;
        const link = document.createElement("a");
        link.id = "export-download";
        link.href = data.download_url;
        link.textContent = fill(t.download, { name });
        link.setAttribute("download", name);
        const summary = fill(t.summary, {
          files: data.files, excluded: data.excluded, digest: data.manifest_sha256.slice(0, 16), name,
        });
        result.append(`${t.ready} `, link, ` ${summary}`);
      })
      .catch((error) => { result.className = "notice error"; result.textContent = fill(t.failed, { e: error.message }); })
      .finally(() => { button.disabled = false; });
  });
}

document.addEventListener("DOMContentLoaded", () => {
  setupQueue();
  setupWall();
  setupExport();
});
