/* civharm: the dashboard's cercle map. Draws the bundled cercle boundaries (no tile server:
   works offline), coloured by the class the server gave each cercle. Reads its data from a
   JSON script element and data-* attributes: the page runs no inline script. */
(function () {
  "use strict";

  // The same palette as dashboard.css's .swatch-N (light to dark: more harm).
  var PALETTE = ["#f4f1ea", "#fcd9b8", "#f4a582", "#d6604d", "#b2182b", "#67001f"];
  var SVG = "http://www.w3.org/2000/svg";
  var HATCH = "civharm-withheld-hatch";

  // Tooltips get text nodes, never HTML: place names and labels are data, not markup.
  function textTooltip(text) {
    var span = document.createElement("span");
    span.textContent = text;
    return span;
  }

  // Withheld cercles are hatched, so they read as "not shown" without relying on colour.
  function addHatchPattern(map) {
    var svg = map.getPanes().overlayPane.querySelector("svg");
    if (!svg || svg.getElementById(HATCH)) { return; }
    var defs = document.createElementNS(SVG, "defs");
    var pattern = document.createElementNS(SVG, "pattern");
    pattern.setAttribute("id", HATCH);
    pattern.setAttribute("width", "6");
    pattern.setAttribute("height", "6");
    pattern.setAttribute("patternUnits", "userSpaceOnUse");
    pattern.setAttribute("patternTransform", "rotate(45)");
    var background = document.createElementNS(SVG, "rect");
    background.setAttribute("width", "6");
    background.setAttribute("height", "6");
    background.setAttribute("fill", "#ffffff");
    var line = document.createElementNS(SVG, "rect");
    line.setAttribute("width", "2");
    line.setAttribute("height", "6");
    line.setAttribute("fill", "#9aa0aa");
    pattern.appendChild(background);
    pattern.appendChild(line);
    defs.appendChild(pattern);
    svg.insertBefore(defs, svg.firstChild);
  }

  function styleFor(entry) {
    if (!entry) {
      return { color: "#9aa0aa", weight: 0.5, fillColor: PALETTE[0], fillOpacity: 0.5, className: "cercle" };
    }
    if (entry["class"] === "withheld") {
      return {
        color: "#5b6475", weight: 1, dashArray: "3 2", fillColor: "url(#" + HATCH + ")",
        fillOpacity: 1, className: "cercle cercle-withheld"
      };
    }
    var index = parseInt(entry["class"], 10) || 0;
    return {
      color: "#5b6475", weight: 1, fillColor: PALETTE[index], fillOpacity: 0.85,
      className: "cercle cercle-class-" + index
    };
  }

  // Zoom to the cercles the filters selected (those with a figure), or to the whole country.
  function boundsWithFigures(layer, values) {
    var bounds = null;
    layer.eachLayer(function (shape) {
      if (values[shape.feature.properties.adm2_pcode]) {
        bounds = bounds ? bounds.extend(shape.getBounds()) : L.latLngBounds(shape.getBounds().getSouthWest(), shape.getBounds().getNorthEast());
      }
    });
    return bounds;
  }

  function drawMap(element, values) {
    if (!window.L) { return; }
    var map = L.map(element, { attributionControl: true, zoomSnap: 0.25 });
    map.attributionControl.setPrefix(false);
    map.attributionControl.addAttribution("OCHA / HDX");
    map.setView([17.5, -4], 5);
    fetch(element.dataset.boundaries, { credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) {
        if (!data) { return; }
        var layer = L.geoJSON(data, {
          style: function (feature) { return styleFor(values[feature.properties.adm2_pcode]); },
          onEachFeature: function (feature, shape) {
            var names = feature.properties || {};
            var entry = values[names.adm2_pcode];
            var text = names.adm2_name + " (" + names.adm1_name + ")";
            shape.bindTooltip(textTooltip(entry ? text + " — " + entry.text : text));
          }
        }).addTo(map);
        addHatchPattern(map);
        map.fitBounds(boundsWithFigures(layer, values) || layer.getBounds(), { padding: [24, 24], maxZoom: 7 });
        element.dataset.drawn = "true";
      });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var element = document.getElementById("choropleth");
    var data = document.getElementById("choropleth-data");
    if (element && data) { drawMap(element, JSON.parse(data.textContent || "{}")); }
  });
})();
