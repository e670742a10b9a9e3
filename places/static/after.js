// The case page's after-photo upload: sent with the CSRF token in a header (uploads are larger than a form body),
// then the page reloads to show the photo and anything flagged.
(function () {
  "use strict";
  var form = document.getElementById("after-photo-form");
  if (!form) { return; }
  var status = document.getElementById("after-photo-status");
  form.addEventListener("submit", async function (event) {
    event.preventDefault();
    status.textContent = "กำลังบันทึกภาพ…";
    try {
      var response = await fetch(form.action, { method: "POST", body: new FormData(form), credentials: "same-origin",
                                                headers: { "x-csrftoken": form.dataset.csrf, "Accept": "application/json" } });
      var body = await response.json().catch(function () { return {}; });
      status.textContent = body.detail || (response.ok ? "บันทึกแล้ว" : "บันทึกไม่สำเร็จ กรุณาลองใหม่อีกครั้ง");
      if (response.ok) { sessionStorage.setItem("after-photo-status", status.textContent); location.reload(); }
    } catch (err) {
      status.textContent = "เชื่อมต่อไม่สำเร็จ กรุณาลองใหม่อีกครั้ง";
    }
  });
  var kept = sessionStorage.getItem("after-photo-status");
  if (kept) { status.textContent = kept; sessionStorage.removeItem("after-photo-status"); }
})();
