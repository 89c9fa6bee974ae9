"use strict";
// Inline answer edits on the page and form views (revision-checked by the server).
// Box overlays are placed from data-box="left top width height" (percent): no inline styles (CSP).
document.querySelectorAll(".ov[data-box]").forEach((o) => {
  const [l, t, w, h] = o.dataset.box.split(" ");
  Object.assign(o.style, {left: l + "%", top: t + "%", width: w + "%", height: h + "%"});
});
document.querySelectorAll("form.edit").forEach((f) => {
  f.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const value = f.querySelector("input").value;
    const {data} = await window.sipas.post("/api/answers/" + f.dataset.answerId, {value, revision: Number(f.dataset.revision)});
    if (!data.ok) { alert(data.error); return; }
    f.dataset.revision = String(data.revision);
    f.classList.add("saved");
    const row = f.closest("tr"); if (row) row.className = "st-" + data.status;
    refreshPageState();
  });
});

// The page's state follows the edits: "review done" once none of its items is open.
async function refreshPageState() {
  const badge = document.getElementById("page-state");
  if (!badge) return;
  const r = await fetch("/api" + location.pathname, {credentials: "same-origin"});
  if (!r.ok) return;
  const data = await r.json();
  if (data.outcome === "review" && data.open_items === 0) badge.textContent = badge.dataset.tDone;
}
