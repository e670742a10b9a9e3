// The case page's status form: when resolving a physical problem with an after-photo chosen, the photo is uploaded
// first (CSRF token in a header, as uploads are larger than a form), then the form is sent. The photo part shows only
// while "ดำเนินการแล้วเสร็จ" is chosen.
(function () {
  "use strict";
  var part = document.getElementById("resolve-proof");
  if (!part) { return; }
  var form = part.closest("form");
  var select = form.querySelector("select[name=status]");
  var file = document.getElementById("resolve-photo");
  var status = document.getElementById("resolve-proof-status");
  function shown() { part.hidden = select.value !== "resolved"; }
  select.addEventListener("change", shown);
  shown();
  form.addEventListener("submit", async function (event) {
    if (select.value !== "resolved" || !file.files.length) { return; }
    event.preventDefault();
    status.textContent = "กำลังบันทึกภาพหลังแก้ไข…";
    var body = new FormData();
    body.append("photo", file.files[0]);
    try {
      var response = await fetch(part.dataset.upload, { method: "POST", body: body, credentials: "same-origin",
        headers: { "x-csrftoken": form.querySelector("input[name=csrf_token]").value, "Accept": "application/json" } });
      var answer = await response.json().catch(function () { return {}; });
      if (!response.ok) { status.textContent = answer.detail || "บันทึกภาพไม่สำเร็จ กรุณาลองใหม่อีกครั้ง"; return; }
      status.textContent = answer.detail || "บันทึกภาพแล้ว";
      file.value = "";
      form.submit();
    } catch (err) {
      status.textContent = "เชื่อมต่อไม่สำเร็จ กรุณาลองใหม่อีกครั้ง";
    }
  });
})();
