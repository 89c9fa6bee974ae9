"use strict";
// Shared helpers: POST JSON with the session's CSRF token; show errors in #status.
window.sipas = {
  csrf: document.querySelector('meta[name="csrf-token"]').content,
  async post(url, body) {
    const r = await fetch(url, {
      method: "POST",
      headers: {"Content-Type": "application/json", "X-CSRF-Token": this.csrf},
      body: JSON.stringify(body || {}),
      credentials: "same-origin",
    });
    let data = null;
    try { data = await r.json(); } catch (e) { data = {ok: false, error: "HTTP " + r.status}; }
    if (r.status === 401) { location.href = "/login?next=" + encodeURIComponent(location.pathname); }
    return {status: r.status, data};
  },
  say(text, isError) {
    const el = document.getElementById("status");
    if (!el) return;
    el.textContent = text || "";
    el.className = "status" + (isError ? " error" : "");
  },
};
// Zoom on any crop: click it (or press Z for the current one); Esc, Z or a click closes the zoom.
window.sipas.zoom = function (img) {
  let layer = document.getElementById("zoom");
  if (layer) { layer.remove(); return; }
  if (!img) return;
  layer = document.createElement("div");
  layer.id = "zoom";
  layer.className = "zoom";
  const big = document.createElement("img");
  big.src = img.src;
  big.alt = img.alt;
  const size = () => {  // twice the size on screen, at least the scan's pixels (again once loaded)
    const w = Math.max(2 * img.getBoundingClientRect().width, img.naturalWidth || 0, big.naturalWidth || 0);
    if (w > 0) big.style.width = Math.round(w) + "px";
  };
  size();
  big.addEventListener("load", size);
  layer.appendChild(big);
  layer.addEventListener("click", () => layer.remove());
  document.body.appendChild(layer);
};
document.addEventListener("keydown", (ev) => {
  const layer = document.getElementById("zoom");
  if (layer && (ev.key === "Escape" || ev.key === "z" || ev.key === "Z")) {
    layer.remove(); ev.preventDefault(); ev.stopImmediatePropagation();
  }
}, true);
