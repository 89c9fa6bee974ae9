"use strict";
// The re-verification call page: send the four answers, 'not reached' and the note as JSON.
(function () {
  const form = document.getElementById("verify-call");
  if (!form) return;
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const data = new FormData(form);
    const answer = (key) => ({yes: true, no: false})[data.get(key)] ?? null;
    const body = {
      not_reached: data.get("not_reached") === "1",
      received: answer("received"),
      self_filled: answer("self_filled"),
      told_answers: answer("told_answers"),
      collected_on_day: answer("collected_on_day"),
      note: data.get("note") || "",
    };
    const r = await window.sipas.post(form.dataset.api, body);
    if (r.status === 200) {
      location.href = form.dataset.back;
    } else {
      window.sipas.say((r.data && r.data.error) || ("HTTP " + r.status), true);
    }
  });
})();
