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
