// The report form: a Leaflet pin when map tiles are configured, "use my location" always, and the LINE ID token
// when the page runs inside LINE (LIFF). Works without this script too: text, category, address, photos.
(function () {
  "use strict";
  var form = document.getElementById("report-form");
  if (!form) { return; }
  var lat = document.getElementById("lat"), lon = document.getElementById("lon");
  var status = document.getElementById("where-status");
  var box = { south: +form.dataset.south, west: +form.dataset.west, north: +form.dataset.north, east: +form.dataset.east };
  var marker = null, map = null;

  function inside(la, lo) { return la >= box.south && la <= box.north && lo >= box.west && lo <= box.east; }

  function pin(la, lo, how) {
    if (!inside(la, lo)) {
      status.textContent = "ตำแหน่งนี้อยู่นอกพื้นที่ที่หน่วยงานรับผิดชอบ กรุณาปักหมุดใหม่ค่ะ";
      return;
    }
    lat.value = la.toFixed(6); lon.value = lo.toFixed(6);
    status.textContent = how + " (" + lat.value + ", " + lon.value + ")";
    if (map) {
      if (marker) { marker.setLatLng([la, lo]); } else { marker = L.marker([la, lo], { keyboard: true, title: "ตำแหน่งที่แจ้ง" }).addTo(map); }
      map.setView([la, lo], Math.max(map.getZoom(), 17));
    }
  }

  var tiles = form.dataset.tiles;
  if (tiles && window.L) {
    var el = document.getElementById("map");
    el.hidden = false;
    map = L.map(el).setView([(box.south + box.north) / 2, (box.west + box.east) / 2], 6);
    L.tileLayer(tiles, { maxZoom: 19, attribution: form.dataset.attribution || "" }).addTo(map);
    map.on("click", function (e) { pin(e.latlng.lat, e.latlng.lng, "ปักหมุดแล้ว"); });
    if (lat.value && lon.value) { pin(+lat.value, +lon.value, "ปักหมุดแล้ว"); }
  }

  document.getElementById("use-location").addEventListener("click", function () {
    if (!navigator.geolocation) { status.textContent = "อุปกรณ์นี้ไม่รองรับการระบุตำแหน่ง กรุณาพิมพ์ที่อยู่แทนค่ะ"; return; }
    status.textContent = "กำลังหาตำแหน่งของท่าน…";
    navigator.geolocation.getCurrentPosition(function (p) {
      pin(p.coords.latitude, p.coords.longitude, "ใช้ตำแหน่งปัจจุบันแล้ว");
    }, function () {
      status.textContent = "ไม่สามารถระบุตำแหน่งได้ กรุณาอนุญาตการเข้าถึงตำแหน่ง หรือพิมพ์ที่อยู่แทนค่ะ";
    }, { enableHighAccuracy: true, timeout: 15000 });
  });

  form.addEventListener("submit", function (e) {
    var photos = document.getElementById("photo").files;
    if (photos && photos.length > 3) { e.preventDefault(); status.textContent = "แนบรูปได้ไม่เกิน 3 รูปค่ะ"; document.getElementById("photo").focus(); }
  });

  // Inside LINE the LIFF SDK (loaded by the agency's LIFF page) gives an ID token; the server verifies it with LINE.
  if (form.dataset.liff && window.liff && window.liff.getIDToken) {
    try { document.getElementById("id_token").value = window.liff.getIDToken() || ""; } catch (err) { /* not logged in */ }
  }
})();
