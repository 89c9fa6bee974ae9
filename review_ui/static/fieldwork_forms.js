"use strict";
// The post's outcome sheet upload: read the file, send it as JSON (base64), show the per-row result.
(function () {
  const form = document.getElementById("returns-upload");
  if (!form) return;
  const cell = (tr, text) => { const td = document.createElement("td"); td.textContent = text; tr.appendChild(td); };
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const file = form.elements.file.files[0];
    if (!file) return;
    const bytes = new Uint8Array(await file.arrayBuffer());
    let bin = "";
    for (let i = 0; i < bytes.length; i += 8192) bin += String.fromCharCode.apply(null, bytes.subarray(i, i + 8192));
    const r = await window.sipas.post(form.dataset.api,
      {survey: form.dataset.survey, filename: file.name, content_base64: btoa(bin)});
    const d = r.data || {};
    if (r.status !== 200) { window.sipas.say(d.error || ("HTTP " + r.status), true); return; }
    document.getElementById("returns-summary").textContent = d.already_imported_at
      ? file.name + ": already imported on " + d.already_imported_at + ", nothing changed"
      : `${file.name}: ${d.rows} rows: ${d.applied} applied, ${d.unchanged} unchanged, ${d.rejected} rejected, ` +
        `${d.flagged} flagged; sync: ${d.synced} states`;
    const body = document.querySelector("#returns-result tbody");
    body.replaceChildren();
    for (const o of d.outcomes) {
      const tr = document.createElement("tr");
      [o.where, o.form_id, o.result, o.states.join(", "), o.reason, o.flags.join(", ")].forEach((t) => cell(tr, t));
      body.appendChild(tr);
    }
  });
})();
