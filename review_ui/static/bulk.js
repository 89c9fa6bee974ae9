"use strict";
// AMC-style bulk grid: boxes sorted by darkness; boxes before the boundary count as marked.
(function () {
  const root = document.getElementById("bulk");
  const cells = Array.from(document.querySelectorAll("#grid .bx"));
  let boundary = Number(root.dataset.boundary || 0), busy = false;

  const summary = document.getElementById("summary");
  const forms = new Set(cells.map((c) => (c.getAttribute("title") || "").split(" ")[0])).size;

  function paint() {
    cells.forEach((c, i) => {
      c.classList.toggle("marked", i < boundary);
      c.classList.toggle("unmarked", i >= boundary);
      c.classList.toggle("edge", i === boundary - 1);
    });
    root.dataset.current = String(boundary);
    if (summary) {
      summary.textContent = root.dataset.tSummary.replace("{n}", cells.length).replace("{forms}", forms)
        .replace("{marked}", boundary);
    }
  }
  cells.forEach((c, i) => {
    c.addEventListener("click", () => { boundary = i + 1 === boundary ? i : i + 1; paint(); });
    const zb = c.querySelector("button.zb");  // zoom, without moving the boundary
    if (zb) zb.addEventListener("click", (ev) => { ev.stopPropagation(); window.sipas.zoom(c.querySelector("img")); });
  });

  async function confirm() {
    if (busy || !cells.length) return;
    busy = true;
    const marked = [], unmarked = [], revisions = {};
    cells.forEach((c, i) => {
      (i < boundary ? marked : unmarked).push(Number(c.dataset.boxId));
      revisions[c.dataset.answerId] = Number(c.dataset.revision);
    });
    const url = "/api/bulk/" + encodeURIComponent(root.dataset.template) + "/" + encodeURIComponent(root.dataset.question);
    const {data} = await window.sipas.post(url, {marked, unmarked, revisions});
    busy = false;
    if (!data.ok) { window.sipas.say(data.error, true); return; }
    let text = "✓ " + root.dataset.tChanged.replace("{n}", data.answers_changed);
    if (!data.items_resolved) text += " " + root.dataset.tNothing;
    if (data.still_open.length) {
      text += " " + root.dataset.tStill.replace("{n}", data.still_open.length).replace("{list}", data.still_open.join("; "));
    }
    window.sipas.say(text, data.still_open.length > 0);
    root.dataset.done = "1";
    root.dataset.resolved = String(data.items_resolved);
    if (!data.still_open.length) setTimeout(() => location.reload(), 600);
  }

  document.addEventListener("keydown", (ev) => {
    if (ev.key === "ArrowRight") { boundary = Math.min(cells.length, boundary + 1); paint(); ev.preventDefault(); }
    else if (ev.key === "ArrowLeft") { boundary = Math.max(0, boundary - 1); paint(); ev.preventDefault(); }
    else if (ev.key === "Enter") { ev.preventDefault(); confirm(); }
    else if (ev.key === "z" || ev.key === "Z") {  // zoom the box at the boundary
      const c = cells[Math.max(0, Math.min(cells.length - 1, boundary - 1))];
      if (c) window.sipas.zoom(c.querySelector("img"));
    }
  });
  const btn = document.getElementById("confirm");
  if (btn) btn.addEventListener("click", confirm);
  paint();
})();
