// Fang Siang inbox: live updates over Server-Sent Events, canned replies, a character counter. No build step.
(function () {
  "use strict";

  // Swap fresh copies of the given elements into the page (fetched from the same URL).
  async function refresh(ids) {
    const response = await fetch(location.href, { headers: { "Accept": "text/html" }, credentials: "same-origin" });
    if (!response.ok) return;
    const doc = new DOMParser().parseFromString(await response.text(), "text/html");
    ids.forEach(function (id) {
      const fresh = doc.getElementById(id), current = document.getElementById(id);
      if (fresh && current) current.replaceWith(fresh);
    });
  }

  function notice(text) {
    const box = document.getElementById("live-notice");
    if (!box) return;
    box.textContent = text;
    box.hidden = false;
    clearTimeout(notice.timer);
    notice.timer = setTimeout(function () { box.hidden = true; }, 5000);
  }

  function live() {
    const url = document.body.dataset.live;
    if (!url || !window.EventSource) return;
    const scope = document.body.dataset.liveScope;
    const source = new EventSource(url);
    source.addEventListener("cases", function (event) {
      const ids = (JSON.parse(event.data).cases || []).map(String);
      if (scope === "inbox") {
        const known = new Set(Array.from(document.querySelectorAll("[data-case-id]")).map(function (el) { return el.dataset.caseId; }));
        refresh(["urgent-alerts", "status-counts", "case-list"]).then(function () {
          ids.filter(function (id) { return !known.has(id); }).forEach(function (id) {
            const row = document.querySelector('[data-case-id="' + id + '"]');
            if (row) row.classList.add("is-new");
          });
          notice("มีความเคลื่อนไหวใหม่ในกล่องเรื่อง");
        });
      } else if (scope === "case" && ids.indexOf(document.body.dataset.caseId) !== -1) {
        refresh(["case-head", "thread", "notes", "history"]).then(function () { notice("เรื่องนี้มีความเคลื่อนไหวใหม่"); });
      }
    });
  }

  // Canned replies: choosing one fills the reply box, which the officer can still edit.
  function cannedReplies() {
    document.querySelectorAll("select[data-fill]").forEach(function (select) {
      select.addEventListener("change", function () {
        const target = document.getElementById(select.dataset.fill);
        if (target && select.value) { target.value = select.value; target.dispatchEvent(new Event("input")); target.focus(); }
      });
    });
  }

  function counters() {
    document.querySelectorAll("textarea[data-counter]").forEach(function (area) {
      const out = document.getElementById(area.dataset.counter), max = Number(area.dataset.max);
      function update() {
        const n = area.value.trim().length;
        if (!n) return;
        out.textContent = n.toLocaleString("th-TH") + " / " + max.toLocaleString("th-TH") + " ตัวอักษร";
        out.classList.toggle("late", n > max);
      }
      area.addEventListener("input", update);
      update();
    });
  }

  // On a phone the filters fold away behind one line unless some are in use.
  function foldFilters() {
    if (!window.matchMedia("(max-width: 600px)").matches) return;
    document.querySelectorAll('details[data-collapse-on-phone="yes"]').forEach(function (d) { d.open = false; });
  }

  // A second click while a form is being sent would send the citizen the same reply twice.
  function sendOnce() {
    document.querySelectorAll('form[method="post"]').forEach(function (form) {
      form.addEventListener("submit", function (event) {
        if (form.dataset.sending) { event.preventDefault(); return; }
        form.dataset.sending = "yes";
        form.querySelectorAll('button[type="submit"]').forEach(function (b) { b.setAttribute("aria-disabled", "true"); });
      });
    });
  }

  // The dashboard's period picker: a named period shows at once; "custom" waits for the dates.
  function periodPicker() {
    var picker = document.getElementById("f-period");
    if (!picker) return;
    picker.addEventListener("change", function () {
      if (picker.value === "custom") return;
      picker.form.date_from.disabled = true;
      picker.form.date_to.disabled = true;
      picker.form.submit();
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    foldFilters(); live(); cannedReplies(); counters(); sendOnce(); periodPicker();
  });
})();
