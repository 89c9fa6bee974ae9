"use strict";
// Live counts: the chips follow what everyone does (after each save, at most every 2 s, and every 15 s).
(function () {
  let lastCounts = -Infinity, pending = null;
  window.sipas.refreshCounts = async function (force) {
    const wait = 2000 - (performance.now() - lastCounts);
    if (!force && wait > 0) {  // throttled: refresh once the 2 s are up
      if (!pending) pending = setTimeout(() => { pending = null; window.sipas.refreshCounts(true); }, wait);
      return;
    }
    lastCounts = performance.now();
    const r = await fetch("/api/queue", {credentials: "same-origin", headers: {"X-Sipas-Background": force ? "1" : "0"}});
    if (!r.ok) return;
    const data = await r.json();
    const put = (key, n) => {
      const chip = document.querySelector('.filters a[data-key="' + key + '"] b');
      if (chip) chip.textContent = String(n);
    };
    let all = 0;
    for (const row of data.items) { put("kind:" + row.key, row.open + row.leased); all += row.open + row.leased; }
    for (const row of data.questions) put(row.template + "/" + row.key, row.open + row.leased);
    put("all", all);
  };
  setInterval(() => window.sipas.refreshCounts(true), 15000);
})();
