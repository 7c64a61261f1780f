/* civharm: the incident map. Draws the bundled cercle boundaries (no tile server: works
   offline) and the incident's point on top. Reads everything from data-* attributes. */
(function () {
  "use strict";

  // Tooltips get text nodes, never HTML: place names and labels are data, not markup.
  function textTooltip(text) {
    var span = document.createElement("span");
    span.textContent = text;
    return span;
  }

  function drawMap(element) {
    var lat = parseFloat(element.dataset.lat);
    var lon = parseFloat(element.dataset.lon);
    if (!window.L || isNaN(lat) || isNaN(lon)) {
      return;
    }
    var map = L.map(element, { attributionControl: true, zoomSnap: 0.5 });
    map.attributionControl.setPrefix(false);
    map.attributionControl.addAttribution("OCHA / HDX");
    map.setView([lat, lon], 8);
    fetch(element.dataset.boundaries, { credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) {
        if (!data) { return; }
        L.geoJSON(data, {
          style: { color: "#5b6475", weight: 1, fillColor: "#eef0f4", fillOpacity: 0.6 },
          onEachFeature: function (feature, layer) {
            var names = feature.properties || {};
            layer.bindTooltip(textTooltip(names.adm2_name + " (" + names.adm1_name + ")"));
          }
        }).addTo(map).bringToBack();
      });
    L.circleMarker([lat, lon], {
      radius: 8, color: "#8a1c1c", weight: 2, fillColor: "#8a1c1c", fillOpacity: 0.7
    }).bindTooltip(textTooltip(element.dataset.label || "")).addTo(map);
  }

  document.addEventListener("DOMContentLoaded", function () {
    var element = document.getElementById("incident-map");
    if (element) { drawMap(element); }
  });
})();
