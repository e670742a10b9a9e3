// The public map: reads /map/problems.json and shows each problem as a dot (amber: not yet done, green: fixed) at
// its rounded place, filtered by category. Without a tile URL the dots stand on a plain background.
(function () {
  "use strict";
  var el = document.getElementById("public-map");
  if (!el || !window.L) { return; }
  var choose = document.getElementById("map-category");
  var shown = document.getElementById("public-map-shown");
  var map = L.map(el);
  if (el.dataset.tiles) {
    L.tileLayer(el.dataset.tiles, { maxZoom: 19, attribution: el.dataset.attribution || "" }).addTo(map);
  }
  var area = [[+el.dataset.south, +el.dataset.west], [+el.dataset.north, +el.dataset.east]];
  var layer = L.layerGroup().addTo(map);
  var problems = [];
  function draw() {
    layer.clearLayers();
    var points = [];
    problems.forEach(function (p) {
      if (choose.value && p.category !== choose.value) { return; }
      var fixed = p.state === "resolved";
      L.circleMarker([p.lat, p.lon], { radius: 8, weight: 2, color: fixed ? "#0f5132" : "#9a5b00",
                                       fillColor: fixed ? "#2e9e5b" : "#f0a500", fillOpacity: 0.75 })
        .bindPopup(p.category_name + " · " + p.state_name + " · แจ้งเมื่อ " + p.reported).addTo(layer);
      points.push([p.lat, p.lon]);
    });
    shown.textContent = "แสดง " + points.length.toLocaleString("th-TH") + " เรื่อง";
    if (points.length) { map.fitBounds(points, { padding: [24, 24], maxZoom: 16 }); } else { map.fitBounds(area); }
  }
  choose.addEventListener("change", draw);
  map.fitBounds(area);
  fetch(el.dataset.feed, { credentials: "omit" }).then(function (r) { return r.json(); })
    .then(function (body) { problems = body.problems || []; draw(); })
    .catch(function () { shown.textContent = "โหลดข้อมูลแผนที่ไม่สำเร็จ กรุณาลองใหม่อีกครั้ง"; });
})();
