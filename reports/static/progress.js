// The PMQA report page while its report is being built: ask how far it is every 1.5 s, show the stage and percent,
// and load the report when it is ready (or the page again when the build stopped, to show why).
(function () {
  "use strict";
  const box = document.getElementById("report-building");
  if (!box || !window.fetch) return;
  const percent = box.querySelector("[data-percent]");
  const bar = box.querySelector("progress");
  const stage = box.querySelector("[data-stage]");
  function poll() {
    fetch(box.dataset.progress, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (state) {
        if (!state || state.status === "ready" || state.status === "failed" || state.status === "none") {
          window.location.assign(box.dataset.page);
          return;
        }
        percent.textContent = String(state.percent);
        bar.value = state.percent;
        if (state.stage) stage.textContent = state.stage;
        window.setTimeout(poll, 1500);
      })
      .catch(function () { window.setTimeout(poll, 5000); });
  }
  window.setTimeout(poll, 1500);
})();
