// wenming maps: a place picker for report forms and a clustered map of
// cases. Positions are stored in WGS-84; when the basemap is in GCJ-02
// (AMap, Tencent) they are converted at the edge, here.
(function () {
  "use strict";
  var body = document.body;
  var tiles = body.getAttribute("data-tiles") || "";
  var gcj = (body.getAttribute("data-tiles-crs") || "") === "gcj02";
  var attribution = body.getAttribute("data-tiles-attribution") || "";
  var center = [33.72, 113.32]; // lat, lng: the demo district

  // The public WGS-84 → GCJ-02 transform; outside China it changes nothing.
  function outOfChina(lng, lat) { return lng < 72.004 || lng > 137.8347 || lat < 0.8293 || lat > 55.8271; }
  function tLat(x, y) {
    var r = -100 + 2 * x + 3 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * Math.sqrt(Math.abs(x));
    r += (20 * Math.sin(6 * x * Math.PI) + 20 * Math.sin(2 * x * Math.PI)) * 2 / 3;
    r += (20 * Math.sin(y * Math.PI) + 40 * Math.sin(y / 3 * Math.PI)) * 2 / 3;
    r += (160 * Math.sin(y / 12 * Math.PI) + 320 * Math.sin(y * Math.PI / 30)) * 2 / 3;
    return r;
  }
  function tLng(x, y) {
    var r = 300 + x + 2 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * Math.sqrt(Math.abs(x));
    r += (20 * Math.sin(6 * x * Math.PI) + 20 * Math.sin(2 * x * Math.PI)) * 2 / 3;
    r += (20 * Math.sin(x * Math.PI) + 40 * Math.sin(x / 3 * Math.PI)) * 2 / 3;
    r += (150 * Math.sin(x / 12 * Math.PI) + 300 * Math.sin(x / 30 * Math.PI)) * 2 / 3;
    return r;
  }
  function toGCJ(lng, lat) {
    if (outOfChina(lng, lat)) { return [lng, lat]; }
    var a = 6378245.0, ee = 0.00669342162296594323;
    var dLat = tLat(lng - 105, lat - 35), dLng = tLng(lng - 105, lat - 35);
    var rad = lat / 180 * Math.PI, magic = Math.sin(rad);
    magic = 1 - ee * magic * magic;
    var sq = Math.sqrt(magic);
    dLat = (dLat * 180) / ((a * (1 - ee)) / (magic * sq) * Math.PI);
    dLng = (dLng * 180) / (a / sq * Math.cos(rad) * Math.PI);
    return [lng + dLng, lat + dLat];
  }
  function fromGCJ(lng, lat) {
    var w = [lng, lat];
    for (var i = 0; i < 10; i++) {
      var g = toGCJ(w[0], w[1]);
      w = [w[0] - (g[0] - lng), w[1] - (g[1] - lat)];
    }
    return w;
  }
  function show(lng, lat) { var p = gcj ? toGCJ(lng, lat) : [lng, lat]; return [p[1], p[0]]; }
  function store(latlng) { return gcj ? fromGCJ(latlng.lng, latlng.lat) : [latlng.lng, latlng.lat]; }

  function baseMap(el) {
    var map = L.map(el, { attributionControl: !!tiles, maxZoom: 19 });
    if (tiles) {
      L.tileLayer(tiles, { maxZoom: 19, attribution: attribution, subdomains: "1234" }).addTo(map);
    } else {
      el.classList.add("no-tiles");
    }
    return map;
  }

  function picker(el) {
    var lngIn = document.getElementById(el.getAttribute("data-lng-input"));
    var latIn = document.getElementById(el.getAttribute("data-lat-input"));
    var map = baseMap(el);
    var lng = parseFloat(lngIn.value), lat = parseFloat(latIn.value);
    var has = !isNaN(lng) && !isNaN(lat);
    var marker = L.marker(has ? show(lng, lat) : center, { draggable: true, keyboard: true });
    map.setView(has ? show(lng, lat) : center, 15);
    function put(lngV, latV) {
      lngIn.value = lngV.toFixed(6); latIn.value = latV.toFixed(6);
      marker.setLatLng(show(lngV, latV)).addTo(map);
      map.panTo(show(lngV, latV));
    }
    if (has) { marker.addTo(map); }
    marker.on("dragend", function () { var w = store(marker.getLatLng()); lngIn.value = w[0].toFixed(6); latIn.value = w[1].toFixed(6); });
    map.on("click", function (e) { var w = store(e.latlng); put(w[0], w[1]); });
    [lngIn, latIn].forEach(function (i) {
      i.addEventListener("change", function () {
        var a = parseFloat(lngIn.value), b = parseFloat(latIn.value);
        if (!isNaN(a) && !isNaN(b)) { put(a, b); }
      });
    });
    var form = el.closest("form");
    var btn = form && form.querySelector("[data-locate]");
    var status = form && form.querySelector("[data-locate-status]");
    if (btn) {
      btn.addEventListener("click", function () {
        status.textContent = WMGeo.text("locating") || "…";
        // The failures are told in Chinese with what to do next (geo.js).
        WMGeo.locate(function (pos) {
          status.textContent = "±" + Math.round(pos.coords.accuracy) + " m";
          put(pos.coords.longitude, pos.coords.latitude);
        }, function (msg) { status.textContent = msg; });
      });
    }
  }

  function casesMap(el) {
    var map = baseMap(el);
    map.setView(center, 13);
    fetch(el.getAttribute("data-src"), { credentials: "same-origin" }).then(function (r) { return r.json(); }).then(function (fc) {
      var cluster = L.markerClusterGroup();
      var bounds = [];
      fc.features.forEach(function (f) {
        var c = f.geometry.coordinates, p = show(c[0], c[1]);
        var m = L.marker(p);
        var a = document.createElement("a");
        a.href = "/problems/" + f.properties.id;
        a.textContent = f.properties.code + " " + f.properties.category + "（" + f.properties.state + "）";
        m.bindPopup(a);
        cluster.addLayer(m);
        bounds.push(p);
      });
      map.addLayer(cluster);
      if (bounds.length) { map.fitBounds(bounds, { maxZoom: 16, padding: [20, 20] }); }
      var count = document.querySelector("[data-map-count]");
      if (count) { count.textContent = String(fc.features.length); }
    }).catch(function (err) {
      var count = document.querySelector("[data-map-count]");
      if (count) { count.textContent = String(err); }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    if (typeof L === "undefined") { return; }
    L.Icon.Default.imagePath = body.getAttribute("data-leaflet-images") || "";
    document.querySelectorAll("[data-map]").forEach(picker);
    document.querySelectorAll("[data-cases-map]").forEach(casesMap);
  });
})();

// Sites: the map of all sites (一张图), each a dot coloured by its latest
// score or by its open problems, and the map of one site's place. The
// server sends positions in WGS-84 and, when the basemap is GCJ-02, the
// shifted point as properties.view (the detail page's shape comes shifted).
(function () {
  "use strict";
  var colors = {
    score: { good: "#15803d", fair: "#2563eb", poor: "#d97706", bad: "#dc2626", none: "#9ca3af" },
    problems: { none: "#15803d", few: "#d97706", many: "#dc2626" }
  };

  function tilesMap(el) {
    var body = document.body;
    var tiles = body.getAttribute("data-tiles") || "";
    var map = L.map(el, { attributionControl: !!tiles, maxZoom: 19, preferCanvas: true });
    if (tiles) {
      L.tileLayer(tiles, { maxZoom: 19, attribution: body.getAttribute("data-tiles-attribution") || "", subdomains: "1234" }).addTo(map);
    } else {
      el.classList.add("no-tiles");
    }
    return map;
  }

  function line(parent, text, cls) {
    var d = document.createElement("div");
    if (cls) { d.className = cls; }
    d.textContent = text;
    parent.appendChild(d);
    return d;
  }

  function sitesMap(el) {
    var map = tilesMap(el);
    map.setView([33.70, 113.33], 13);
    var mode = "score", markers = [];
    var count = document.querySelector("[data-map-count]");
    function paint() {
      markers.forEach(function (m) {
        var p = m.siteProps;
        var c = mode === "score" ? colors.score[p.score_bucket] : colors.problems[p.problem_bucket];
        m.setStyle({ color: "#ffffff", fillColor: c || "#9ca3af" });
      });
      document.querySelectorAll("[data-legend]").forEach(function (l) { l.hidden = l.getAttribute("data-legend") !== mode; });
      document.querySelectorAll("[data-site-color]").forEach(function (b) {
        b.setAttribute("aria-pressed", String(b.getAttribute("data-site-color") === mode));
      });
    }
    document.querySelectorAll("[data-site-color]").forEach(function (b) {
      b.addEventListener("click", function () { mode = b.getAttribute("data-site-color"); paint(); });
    });
    fetch(el.getAttribute("data-src"), { credentials: "same-origin" }).then(function (r) { return r.json(); }).then(function (fc) {
      var bounds = [];
      fc.features.forEach(function (f) {
        var p = f.properties, c = p.view || f.geometry.coordinates, ll = [c[1], c[0]];
        var m = L.circleMarker(ll, { radius: 8, weight: 2, fillOpacity: 0.9 });
        m.siteProps = p;
        var box = document.createElement("div");
        var a = document.createElement("a");
        a.href = "/sites/" + p.id;
        a.textContent = p.name;
        box.appendChild(a);
        line(box, p.code + " · " + p.type, "muted");
        line(box, (el.getAttribute("data-label-score") || "") + "：" +
          (p.score === null ? (el.getAttribute("data-label-none") || "—") : p.score.toFixed(1)));
        line(box, (el.getAttribute("data-label-problems") || "") + "：" + p.open_problems);
        m.bindPopup(box);
        m.bindTooltip(p.name);
        m.addTo(map);
        markers.push(m);
        bounds.push(ll);
      });
      paint();
      if (bounds.length) { map.fitBounds(bounds, { maxZoom: 16, padding: [20, 20] }); }
      if (count) { count.textContent = String(fc.features.length); }
    }).catch(function (err) {
      if (count) { count.textContent = String(err); }
    });
  }

  function siteShape(el) {
    var map = tilesMap(el);
    var g;
    try { g = JSON.parse(el.getAttribute("data-site-shape")); } catch (e) { return; }
    var layer = L.geoJSON(g, {
      style: function () { return { color: "#c8161d", weight: 5, opacity: 0.85, fillOpacity: 0.2 }; },
      pointToLayer: function (f, ll) {
        return L.circleMarker(ll, { radius: 9, color: "#ffffff", weight: 2, fillColor: "#c8161d", fillOpacity: 0.95 });
      }
    }).addTo(map);
    if (g.type === "Point") {
      map.setView([g.coordinates[1], g.coordinates[0]], 17);
    } else {
      map.fitBounds(layer.getBounds(), { maxZoom: 18, padding: [20, 20] });
    }
    var name = el.getAttribute("data-site-name");
    if (name) { layer.bindTooltip(name); }
  }

  document.addEventListener("DOMContentLoaded", function () {
    if (typeof L === "undefined") { return; }
    document.querySelectorAll("[data-sites-map]").forEach(sitesMap);
    document.querySelectorAll("[data-site-shape]").forEach(siteShape);
  });
})();
