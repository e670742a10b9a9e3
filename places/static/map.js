// The officers' map of open cases: one marker per case (red when overdue), a popup linking to the case page.
(function () {
  "use strict";
  var el = document.getElementById("case-map");
  if (!el || !el.dataset.tiles || !window.L) { return; }
  var cases = JSON.parse(el.dataset.cases || "[]");
  el.hidden = false;
  var map = L.map(el);
  L.tileLayer(el.dataset.tiles, { maxZoom: 19, attribution: el.dataset.attribution || "" }).addTo(map);
  var points = [];
  cases.forEach(function (c) {
    var marker = L.circleMarker([c.lat, c.lon], { radius: 9, weight: 2, color: c.overdue ? "#b42318" : "#0b5cad",
                                                  fillOpacity: 0.6 }).addTo(map);
    var link = document.createElement("a");
    link.href = "/inbox/cases/" + c.id;
    link.textContent = c.ticket;
    var box = document.createElement("div");
    box.appendChild(link);
    box.appendChild(document.createElement("br"));
    box.appendChild(document.createTextNode(c.category + " · " + c.status + (c.overdue ? " · เกินกำหนด" : "")));
    marker.bindPopup(box);
    points.push([c.lat, c.lon]);
  });
  if (points.length) { map.fitBounds(points, { padding: [30, 30], maxZoom: 17 }); }
  else { map.fitBounds([[+el.dataset.south, +el.dataset.west], [+el.dataset.north, +el.dataset.east]]); }
})();
