"use strict";
// queXF-style keyboard verifier: one leased item at a time, the machine reading pre-selected.
(function () {
  const root = document.getElementById("queue");
  const box = document.getElementById("item");
  const T = (k) => root.dataset["t" + k] || k;
  const filt = {next_kind: root.dataset.kind || null, next_question: root.dataset.question || null};
  let item = null, chosen = new Set(), corners = [], busy = false;

  function el(tag, attrs, text) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
    if (text !== undefined) e.textContent = text;
    return e;
  }

  function show(next) {
    item = next; chosen = new Set(); corners = []; busy = false;
    box.replaceChildren();
    if (!item) { box.dataset.itemId = ""; box.appendChild(el("p", {class: "empty", id: "empty"}, T("Empty"))); return; }
    box.dataset.itemId = String(item.id);
    const head = el("h2", {class: "q"});
    if (item.kind === "field") {
      head.textContent = item.field + " — " + item.label + (item.row_label ? " · " + item.row_label : "");
    } else {
      head.textContent = item.kind === "unidentified_page" ? T("Unidentified") : T("Unaligned");
    }
    box.appendChild(head);
    const meta = el("p", {class: "meta"});
    meta.textContent = [item.form_id || "", item.reason ? T("Reason") + ": " + item.reason : "",
      item.confidence != null ? "conf " + item.confidence.toFixed(2) : ""].filter(Boolean).join(" · ");
    box.appendChild(meta);
    const wrap = el("div", {class: "crop-wrap"});
    const img = el("img", {class: item.kind === "field" ? "crop" : "raw", id: "crop", src: item.image_url, alt: ""});
    wrap.appendChild(img);
    box.appendChild(wrap);
    if (item.kind === "field") showField(); else if (item.kind === "unidentified_page") showIdentify();
    else showCorners(img, wrap);
  }

  function showField() {
    const k = item.answer_kind;
    if (k === "single" || k === "grid" || k === "multi") {
      if (k === "multi") item.value.split(";").filter(Boolean).forEach((v) => chosen.add(v));
      const ul = el("ol", {class: "opts", id: "opts"});
      for (const o of item.options) {
        const li = el("li", {"data-value": o.value});
        li.appendChild(el("kbd", {}, o.key));
        li.appendChild(document.createTextNode(" " + o.label));
        li.addEventListener("click", () => (k === "multi" ? toggle(o.value) : send(o.value)));
        ul.appendChild(li);
      }
      const blank = el("li", {"data-value": ""});
      blank.appendChild(el("kbd", {}, "0"));
      blank.appendChild(document.createTextNode(" " + T("Blank")));
      ul.appendChild(blank);
      box.appendChild(ul);
      box.appendChild(el("p", {class: "keys"}, k === "multi" ? T("KeysMulti") : T("KeysChoice")));
      paint();
    } else {
      const input = el("input", {id: "answer", class: "answer", autocomplete: "off", value: item.value,
        inputmode: k === "digits" ? "numeric" : "text", "aria-label": item.field});
      if (item.length) input.setAttribute("maxlength", String(item.length + 4));
      box.appendChild(input);
      box.appendChild(el("p", {class: "keys"}, T("KeysText")));
      input.focus(); input.select();
    }
  }

  function paint() {
    const cur = item.answer_kind === "multi" ? chosen : new Set([item.value]);
    document.querySelectorAll("#opts li").forEach((li) => {
      li.classList.toggle("sel", item.answer_kind === "multi" ? cur.has(li.dataset.value) : li.dataset.value === item.value);
      li.classList.toggle("machine", item.machine_value.split(";").includes(li.dataset.value) && li.dataset.value !== "");
    });
  }

  function toggle(v) { if (chosen.has(v)) chosen.delete(v); else chosen.add(v); paint(); }

  function showIdentify() {
    const f = el("div", {class: "identify"});
    const a = el("input", {id: "form-id", placeholder: "K7M2-Q9XH", autocomplete: "off", "aria-label": T("FormId")});
    const b = el("input", {id: "page-number", type: "number", min: "1", value: "1", "aria-label": T("PageNumber")});
    const la = el("label", {}, T("FormId") + " "); la.appendChild(a);
    const lb = el("label", {}, " " + T("PageNumber") + " "); lb.appendChild(b);
    f.append(la, lb);
    box.appendChild(f);
    box.appendChild(el("p", {class: "keys"}, T("KeysIdentify")));
    a.focus();
  }

  function showCorners(img, wrap) {
    box.appendChild(el("p", {class: "keys"}, T("KeysCorners")));
    img.addEventListener("click", (ev) => {
      if (corners.length >= 4) return;
      const r = img.getBoundingClientRect();
      const sx = img.naturalWidth / r.width, sy = img.naturalHeight / r.height;
      corners.push([(ev.clientX - r.left) * sx, (ev.clientY - r.top) * sy]);
      const dot = el("span", {class: "dot"}, String(corners.length));
      dot.style.left = (ev.clientX - r.left) + "px"; dot.style.top = (ev.clientY - r.top) + "px";
      wrap.appendChild(dot);
    });
  }

  async function call(url, body) {
    busy = true;
    const {status, data} = await window.sipas.post(url, body);
    if (!data.ok) { busy = false; window.sipas.say(data.error || ("HTTP " + status), true); return; }
    window.sipas.say("");
    show("next" in data ? data.next : data.item);
  }

  function send(value) {
    if (!item || busy) return;
    call("/api/items/" + item.id + "/submit", {lease_token: item.lease_token, revision: item.revision, value, ...filt});
  }

  function submitPage() {
    if (item.kind === "unidentified_page") {
      call("/api/items/" + item.id + "/submit", {lease_token: item.lease_token, ...filt,
        form_id: document.getElementById("form-id").value, page_number: Number(document.getElementById("page-number").value)});
    } else if (corners.length === 4) {
      call("/api/items/" + item.id + "/submit", {lease_token: item.lease_token, corners, ...filt});
    }
  }

  function skip() { if (item && !busy) call("/api/items/" + item.id + "/skip", {lease_token: item.lease_token, ...filt}); }
  function openPage() { if (item && item.page_url) window.open(item.page_url, "_blank"); }

  document.addEventListener("keydown", (ev) => {
    if (!item || busy) return;
    const inInput = ev.target instanceof HTMLInputElement;
    const key = ev.key;
    if ((inInput && ev.altKey) || !inInput) {
      const lower = key.toLowerCase();
      if (lower === "s" || ev.code === "KeyS") { ev.preventDefault(); skip(); return; }
      if (lower === "p" || ev.code === "KeyP") { ev.preventDefault(); openPage(); return; }
    }
    if (item.kind !== "field") {
      if (key === "Enter") { ev.preventDefault(); submitPage(); }
      else if (key === "Backspace" && !inInput && item.kind === "unaligned_page") {
        corners.pop(); const dots = box.querySelectorAll(".dot"); if (dots.length) dots[dots.length - 1].remove();
      }
      return;
    }
    const k = item.answer_kind;
    if (k === "digits" || k === "text") {
      if (key === "Enter") { ev.preventDefault(); send(document.getElementById("answer").value); }
      return;
    }
    if (key === "Enter") {
      ev.preventDefault();
      send(k === "multi" ? item.options.map((o) => o.value).filter((v) => chosen.has(v)).join(";") : item.value);
      return;
    }
    if (/^[0-9]$/.test(key)) {
      ev.preventDefault();
      if (key === "0") { if (k === "multi") { chosen.clear(); paint(); } else send(""); return; }
      const opt = item.options.find((o) => o.key === key);
      if (!opt) return;
      if (k === "multi") toggle(opt.value); else send(opt.value);
    }
  });

  (async function start() {
    busy = true;
    const {data} = await window.sipas.post("/api/queue/next", {kind: filt.next_kind, question: filt.next_question});
    busy = false;
    if (!data.ok) { window.sipas.say(data.error, true); return; }
    show(data.item);
  })();
})();
