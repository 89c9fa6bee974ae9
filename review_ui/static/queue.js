"use strict";
// queXF-style keyboard verifier: one leased item at a time, the machine reading pre-selected.
(function () {
  const root = document.getElementById("queue");
  const box = document.getElementById("item");
  const actions = document.getElementById("actions");
  const T = (k) => root.dataset["t" + k] || k;
  const filt = {next_kind: root.dataset.kind || null, next_question: root.dataset.question || null,
    next_template: root.dataset.template || null};
  const MULTIPLE = "*";
  const GUARD_MS = 250;  // Enter right after a new item appears is ignored: nothing is confirmed unseen
  const UNDO_KEEP = 5;
  let item = null, chosen = new Set(), pick = null, corners = [], busy = false, skipped = 0, remaining = 0;
  let shownAt = 0, touched = false;
  const done = [];  // the last answers saved here, newest last: [{id, label}]

  function el(tag, attrs, text) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
    if (text !== undefined) e.textContent = text;
    return e;
  }

  function counts(data) {
    if (typeof data.remaining === "number") {
      remaining = data.remaining;
      document.getElementById("remaining").textContent = String(remaining);
    }
    if (typeof data.skips === "number") skipped = data.skips;
  }


  function isField(it) { return it.answer_id != null; }  // an answer: field, second review, disagreement

  function shown(value) { return value === MULTIPLE ? T("Several") : value === "" ? T("Blank") : value; }

  function meta() {
    const p = el("p", {class: "meta"});
    const add = (node) => { if (p.childNodes.length) p.appendChild(document.createTextNode(" · ")); p.appendChild(node); };
    if (item.form_id) add(el("a", {href: item.form_url, target: "_blank"}, T("Form") + " " + item.display_form_id));
    if (item.page_url) add(el("a", {href: item.page_url, target: "_blank"}, T("Page")));
    if (item.reason) add(document.createTextNode(T("Reason") + ": " + item.reason));
    if (item.candidates && item.candidates.length) add(el("b", {id: "candidates"}, T("Candidates") + ": " + item.candidates.join(" · ")));
    if (isField(item)) {
      add(document.createTextNode(T("Machine") + ": " + shown(item.machine_value)));
      if (item.confidence != null) add(document.createTextNode(T("Confidence") + " " + Math.round(item.confidence * 100) + "%"));
    }
    return p;
  }

  function show(next) {
    item = next; chosen = new Set(); pick = null; corners = []; busy = false; touched = false;
    shownAt = performance.now();
    paintUndo();
    box.after(actions);
    box.replaceChildren();
    actions.hidden = !item;
    if (!item) {
      box.dataset.itemId = "";
      box.appendChild(el("p", {class: "empty", id: "empty"}, T("Empty")));
      if (remaining > skipped) box.appendChild(el("p", {class: "hint"}, T("Busy")));
      if (skipped > 0) {  // items skipped in this session may be left
        const again = el("button", {id: "reset-skips"}, T("Skipped"));
        again.addEventListener("click", async () => {
          const {data} = await window.sipas.post("/api/queue/reset-skips", {});
          if (data.ok) location.reload(); else window.sipas.say(data.error, true);
        });
        box.appendChild(again);
      }
      return;
    }
    box.dataset.itemId = String(item.id);
    box.classList.remove("arrive"); void box.offsetWidth; box.classList.add("arrive");
    const head = el("h2", {class: "q"});
    if (isField(item)) {
      head.appendChild(el("span", {class: "code"}, item.field));
      head.appendChild(document.createTextNode(" " + item.label));
      if (item.row_label) head.appendChild(el("span", {class: "row"}, item.row_label));
    } else {
      head.textContent = item.kind === "unidentified_page" ? T("Unidentified") : T("Unaligned");
    }
    box.appendChild(head);
    box.appendChild(meta());
    const wrap = el("div", {class: "crop-wrap"});
    const img = el("img", {class: isField(item) ? "crop" : "raw", id: "crop", src: item.image_url, alt: ""});
    if (isField(item)) img.addEventListener("click", () => window.sipas.zoom(img));
    wrap.appendChild(img);
    if (isField(item)) {
      box.appendChild(wrap);
      showField(box);
      box.after(actions);  // under the item
      return;
    }
    const split = el("div", {class: "page-item"});  // the page on the left, what to do on the right
    const panel = el("div", {class: "panel"});
    split.append(wrap, panel);
    box.appendChild(split);
    if (item.kind === "unidentified_page") showIdentify(panel); else showCorners(panel, img, wrap);
    panel.appendChild(actions);  // beside the page, not below it
  }

  function option(key, value, label, onPick) {
    const li = el("li", {"data-value": value});
    li.appendChild(el("kbd", {}, key));
    li.appendChild(document.createTextNode(" " + label));
    li.addEventListener("click", onPick);
    return li;
  }

  function showField(box) {
    const k = item.answer_kind;
    if (k === "single" || k === "grid" || k === "multi") {
      if (k === "multi") item.value.split(";").filter(Boolean).forEach((v) => chosen.add(v));
      const ul = el("ol", {class: "opts", id: "opts"});
      pick = k === "multi" ? null : item.value;  // the machine's reading until the reviewer chooses
      for (const o of item.options) ul.appendChild(option(o.key, o.value, o.label, () => (k === "multi" ? toggle(o.value) : choose(o.value))));
      ul.appendChild(option("0", "", T("Blank"), () => (k === "multi" ? clear() : choose(""))));
      if (k !== "multi") ul.appendChild(option(MULTIPLE, MULTIPLE, T("Several"), () => choose(MULTIPLE)));
      box.appendChild(ul);
      box.appendChild(el("p", {class: "chosen", id: "chosen", "aria-live": "polite"}));
      box.appendChild(el("p", {class: "keys"}, k === "multi" ? T("KeysMulti") : T("KeysChoice")));
      paint();
    } else {
      let input;
      if (k === "text") {  // as many lines as the paper box; the OCR guess only when it is confident
        input = el("textarea", {id: "answer", class: "answer", rows: String(Math.max(2, item.lines || 3)),
          autocomplete: "off", "aria-label": item.field, placeholder: item.value && !item.prefill ? "OCR: " + item.value : ""});
        input.value = item.prefill ? item.value : "";
      } else {
        input = el("input", {id: "answer", class: "answer", autocomplete: "off", value: item.value,
          inputmode: "numeric", "aria-label": item.field});
        if (item.length) input.setAttribute("maxlength", String(item.length + 4));
      }
      input.addEventListener("input", () => { touched = true; });
      box.appendChild(input);
      box.appendChild(el("p", {class: "keys"}, T("KeysText")));
      input.focus(); input.select();
    }
  }

  function paint() {
    const machine = item.machine_value.split(";");
    document.querySelectorAll("#opts li").forEach((li) => {
      const v = li.dataset.value;
      li.classList.toggle("sel", item.answer_kind === "multi" ? chosen.has(v) : v === pick);
      li.classList.toggle("machine", machine.includes(v) && v !== "");
    });
    const line = document.getElementById("chosen");
    if (!line) return;
    const value = item.answer_kind === "multi" ? selectedMulti() : pick;
    const label = (v) => { const o = item.options.find((x) => x.value === v); return o ? v + " · " + o.label : shown(v); };
    const text = item.answer_kind === "multi" ? (value ? value.split(";").map(label).join(", ") : T("Blank")) : label(value);
    line.textContent = (touched ? T("Chosen") : T("MachineKept")) + ": " + text + " — " + T("EnterSaves");
    line.dataset.value = value;
  }

  function choose(v) { pick = v; touched = true; paint(); }
  function toggle(v) { if (chosen.has(v)) chosen.delete(v); else chosen.add(v); touched = true; paint(); }
  function clear() { chosen.clear(); touched = true; paint(); }
  function selectedMulti() { return item.options.map((o) => o.value).filter((v) => chosen.has(v)).join(";"); }

  function showIdentify(box) {
    const f = el("div", {class: "identify"});
    const a = el("input", {id: "form-id", placeholder: "K7M2-Q9XH", autocomplete: "off", "aria-label": T("FormId")});
    const b = el("input", {id: "page-number", type: "number", min: "1", value: "1", "aria-label": T("PageNumber")});
    const la = el("label", {}, T("FormId") + " "); la.appendChild(a);
    const lb = el("label", {}, " " + T("PageNumber") + " "); lb.appendChild(b);
    f.append(la, lb);
    if (item.new_form_of && item.new_form_of.length) {  // forms that print no id: start a new form instead
      const sel = el("select", {id: "new-form-of", "aria-label": T("NewFormOf")});
      sel.appendChild(el("option", {value: ""}, "—"));
      item.new_form_of.forEach((name) => sel.appendChild(el("option", {value: name}, name)));
      const lc = el("label", {}, " " + T("NewFormOf") + " "); lc.appendChild(sel);
      f.append(lc);
    }
    f.addEventListener("input", () => { touched = true; });
    box.appendChild(f);
    box.appendChild(el("p", {class: "keys"}, T("KeysIdentify")));
    a.focus();
  }

  function showCorners(box, img, wrap) {
    box.appendChild(el("p", {class: "keys"}, T("KeysCorners")));
    img.addEventListener("click", (ev) => {
      if (corners.length >= 4) return;
      const r = img.getBoundingClientRect();
      const sx = img.naturalWidth / r.width, sy = img.naturalHeight / r.height;
      corners.push([(ev.clientX - r.left) * sx, (ev.clientY - r.top) * sy]); touched = true;
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
    counts(data);
    window.sipas.refreshCounts(false);
    if (data.done && done.length && done[done.length - 1].id === data.done) done[done.length - 1].saved = true;
    show("next" in data ? data.next : data.item);
  }

  function send(value) {
    if (!item || busy) return;
    if (item.kind === "field") {  // second reviews and disagreements are not undone from here
      done.push({id: item.id, label: item.field + " = " + shown(value)});
      while (done.length > UNDO_KEEP) done.shift();
    }
    call("/api/items/" + item.id + "/submit", {lease_token: item.lease_token, revision: item.revision, value, ...filt});
  }

  function paintUndo() {
    const btn = document.getElementById("btn-undo");
    const last = done.filter((d) => d.saved).pop();
    btn.hidden = !last;
    btn.dataset.itemId = last ? String(last.id) : "";
    document.getElementById("undo-what").textContent = last ? last.label : "";
  }

  async function undo() {
    const last = done.filter((d) => d.saved).pop();
    if (!last || busy) return;
    busy = true;
    const {status, data} = await window.sipas.post("/api/items/" + last.id + "/undo", {kind: filt.next_kind, question: filt.next_question, template: filt.next_template});
    busy = false;
    done.splice(done.indexOf(last), 1);
    if (!data.ok) { paintUndo(); window.sipas.say(data.error || ("HTTP " + status), true); return; }
    window.sipas.say("↶ " + last.label);
    counts(data);
    show(data.item);
  }

  function confirmField() {
    const k = item.answer_kind;
    if (k === "digits" || k === "text") send(document.getElementById("answer").value);
    else send(k === "multi" ? selectedMulti() : pick);
  }

  function submitPage() {
    if (item.kind === "unidentified_page") {
      call("/api/items/" + item.id + "/submit", {lease_token: item.lease_token, ...filt,
        form_id: document.getElementById("form-id").value, page_number: Number(document.getElementById("page-number").value),
        new_form_of: (document.getElementById("new-form-of") || {}).value || null});
    } else if (corners.length === 4) {
      call("/api/items/" + item.id + "/submit", {lease_token: item.lease_token, corners, ...filt});
    }
  }

  function confirm() { if (item && !busy) { if (isField(item)) confirmField(); else submitPage(); } }
  function skip() { if (item && !busy) call("/api/items/" + item.id + "/skip", {lease_token: item.lease_token, ...filt}); }
  function openPage() { if (item && item.page_url) window.open(item.page_url, "_blank"); }

  document.getElementById("btn-confirm").addEventListener("click", confirm);
  document.getElementById("btn-skip").addEventListener("click", skip);
  document.getElementById("btn-page").addEventListener("click", openPage);
  document.getElementById("btn-undo").addEventListener("click", undo);

  document.addEventListener("keydown", (ev) => {
    if (busy || ev.repeat) { if (ev.key === "Enter") ev.preventDefault(); return; }
    const inInput = ev.target instanceof HTMLInputElement || ev.target instanceof HTMLTextAreaElement;
    const key = ev.key;
    if ((inInput && ev.altKey) || !inInput) {
      const lower = key.toLowerCase();
      if (lower === "u" || ev.code === "KeyU") { ev.preventDefault(); undo(); return; }
      if ((lower === "z" || ev.code === "KeyZ") && item) { ev.preventDefault(); window.sipas.zoom(document.getElementById("crop")); return; }
      if (!item) return;
      if (lower === "s" || ev.code === "KeyS") { ev.preventDefault(); skip(); return; }
      if (lower === "p" || ev.code === "KeyP") { ev.preventDefault(); openPage(); return; }
    }
    if (!item) return;
    if (key === "Enter" && !(inInput && ev.shiftKey)) {
      ev.preventDefault();
      if (performance.now() - shownAt < GUARD_MS && !touched) return;  // typed ahead: not seen yet
      confirm(); return;
    }
    if (!isField(item)) {
      if (key === "Backspace" && !inInput && item.kind === "unaligned_page") {
        corners.pop(); const dots = document.querySelectorAll("#item .dot"); if (dots.length) dots[dots.length - 1].remove();
      }
      return;
    }
    const k = item.answer_kind;
    if (k === "digits" || k === "text") return;
    if (key === MULTIPLE && k !== "multi") { ev.preventDefault(); choose(MULTIPLE); return; }
    if (/^[0-9]$/.test(key)) {
      ev.preventDefault();
      if (key === "0") { if (k === "multi") clear(); else choose(""); return; }
      const opt = item.options.find((o) => o.key === key);
      if (!opt) return;
      if (k === "multi") toggle(opt.value); else choose(opt.value);
    }
  });

  (async function start() {
    busy = true;
    const {data} = await window.sipas.post("/api/queue/next", {kind: filt.next_kind, question: filt.next_question, template: filt.next_template});
    busy = false;
    if (!data.ok) { window.sipas.say(data.error, true); return; }
    counts(data);
    show(data.item);
  })();
})();
