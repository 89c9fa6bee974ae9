"use strict";
// Inline answer edits on the page and form views (revision-checked by the server).
document.querySelectorAll("form.edit").forEach((f) => {
  f.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const value = f.querySelector("input").value;
    const {data} = await window.sipas.post("/api/answers/" + f.dataset.answerId, {value, revision: Number(f.dataset.revision)});
    if (!data.ok) { alert(data.error); return; }
    f.dataset.revision = String(data.revision);
    f.classList.add("saved");
    const row = f.closest("tr"); if (row) row.className = "st-" + data.status;
  });
});
