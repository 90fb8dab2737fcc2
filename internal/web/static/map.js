// wenming maps: the deployment's own areas as every map's base layer, a
// place picker for the forms and a clustered map of cases. Positions are
// stored in WGS-84; when the basemap is in GCJ-02 (AMap, Tencent) markers
// are converted here, at the edge, and the outlines come shifted from the
// server, so both lie on the tiles alike.
(function () {
  "use strict";
  var body = document.body;
  var tiles = body.getAttribute("data-tiles") || "";
  var gcj = (body.getAttribute("data-tiles-crs") || "") === "gcj02";
  var attribution = body.getAttribute("data-tiles-attribution") || "";
  var places = body.getAttribute("data-places") || "/public/places";
  var center = [33.70, 113.33]; // lat, lng: the demo district

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

  function getJSON(url) {
    return fetch(url, { credentials: "same-origin" }).then(function (r) {
      if (!r.ok) { throw new Error(String(r.status)); }
      return r.json();
    });
  }

  // The base layer: the outlines of the district, its streets, communities
  // and grids, by zoom band (the server sends a band's outlines simplified
  // for it), their names written inside them at the zooms where they fit,
  // and the sites as labelled dots. Outlines are drawn in SVG and never
  // take a click: a tap on the map is a tap on the place.
  var styles = {
    3: { color: "#7f1d1d", weight: 3, opacity: 0.9, fillOpacity: 0, dashArray: null },
    4: { color: "#b45309", weight: 2.5, opacity: 0.9, fillColor: "#fef3c7", fillOpacity: 0.12 },
    5: { color: "#2563eb", weight: 1.2, opacity: 0.8, fillColor: "#dbeafe", fillOpacity: 0.08 },
    6: { color: "#6b7280", weight: 1, opacity: 0.8, fillOpacity: 0, dashArray: "4 3" }
  };
  // The zooms at which a level's names are written.
  var labelZooms = { 3: [0, 11], 4: [11, 14], 5: [14, 17], 6: [16, 22] };
  function band(z) { return z >= 15 ? 15 : (z >= 13 ? 13 : 11); }

  function outlines(map, opts) {
    opts = opts || {};
    var svg = L.svg({ padding: 0.5 });
    var areas = L.layerGroup().addTo(map), labels = L.layerGroup().addTo(map), sites = L.layerGroup();
    var cache = {}, current = 0, siteLabels = [];
    function drawLabels() {
      var z = map.getZoom();
      labels.clearLayers();
      (cache[current] || []).forEach(function (f) {
        var lz = labelZooms[f.properties.level] || [99, 99];
        if (z < lz[0] || z > lz[1]) { return; }
        var ll = [f.properties.label[1], f.properties.label[0]];
        var name = f.properties.name.replace(/(居民委员会|村民委员会)$/, "");
        var icon = L.divIcon({ className: "area-label area-label-" + f.properties.level, html: "", iconSize: null });
        var m = L.marker(ll, { icon: icon, interactive: false, keyboard: false });
        m.on("add", function () { var e = m.getElement(); if (e) { e.textContent = name; } });
        labels.addLayer(m);
      });
      siteLabels.forEach(function (m) { if (z >= 15) { sites.addLayer(m); } else { sites.removeLayer(m); } });
    }
    function draw(b, fc) {
      cache[b] = fc.features;
      if (b !== current) { return; }
      areas.clearLayers();
      fc.features.forEach(function (f) {
        var st = styles[f.properties.level] || styles[5];
        if (tiles) { st = L.extend({}, st, { fillOpacity: 0 }); }
        L.geoJSON(f, { style: function () { return st; }, renderer: svg, interactive: false }).addTo(areas);
      });
      drawLabels();
      if (opts.fit && !opts.fitted && fc.features.length) {
        opts.fitted = true;
        map.fitBounds(L.geoJSON(fc).getBounds(), { padding: [10, 10] });
      }
    }
    function load() {
      var b = band(map.getZoom());
      if (b === current) { drawLabels(); return; }
      current = b;
      if (cache[b]) { draw(b, { features: cache[b] }); return; }
      getJSON("/places/areas.geojson?z=" + b).then(function (fc) {
        draw(b, fc);
        map.getContainer().setAttribute("data-areas", String(fc.features.length));
      }).catch(function () { /* no outlines: the map still works */ });
    }
    map.on("zoomend", load);
    if (map._loaded) { load(); } else { map.whenReady(load); }
    if (opts.sites !== false) {
      sites.addTo(map);
      getJSON(places + "/sites").then(function (res) {
        (res.sites || []).forEach(function (x) {
          var ll = show(x.lng, x.lat);
          L.circleMarker(ll, { radius: 4, weight: 1, color: "#ffffff", fillColor: "#0f766e", fillOpacity: 0.9, renderer: svg, interactive: false }).addTo(sites);
          var icon = L.divIcon({ className: "site-label", html: "", iconSize: null });
          var m = L.marker(ll, { icon: icon, interactive: false, keyboard: false });
          m.on("add", function () { var e = m.getElement(); if (e) { e.textContent = x.name; } });
          siteLabels.push(m);
        });
        drawLabels();
      }).catch(function () { /* sites are a help, not a need */ });
    }
    return { areas: areas, labels: labels };
  }

  function baseMap(el, opts) {
    var map = L.map(el, { attributionControl: !!tiles, maxZoom: 19, preferCanvas: !!(opts && opts.canvas) });
    if (tiles) {
      L.tileLayer(tiles, { maxZoom: 19, attribution: attribution, subdomains: "1234" }).addTo(map);
    } else {
      el.classList.add("no-tiles", "own-areas");
    }
    map.setView(center, (opts && opts.zoom) || 13);
    outlines(map, opts);
    return map;
  }

  // The GPS position in a JPEG's EXIF block, or null: a small reader of
  // the APP1 segment's TIFF directory and its GPS directory.
  function exifPosition(buf) {
    var v = new DataView(buf), off = 2;
    if (v.byteLength < 4 || v.getUint16(0) !== 0xFFD8) { return null; }
    while (off + 4 <= v.byteLength) {
      var marker = v.getUint16(off), size = v.getUint16(off + 2);
      if (marker === 0xFFE1 && v.getUint32(off + 4) === 0x45786966) { return tiffGPS(v, off + 10); }
      if ((marker & 0xFF00) !== 0xFF00 || marker === 0xFFDA) { return null; }
      off += 2 + size;
    }
    return null;
  }
  function tiffGPS(v, t) {
    if (t + 8 > v.byteLength) { return null; }
    var le = v.getUint16(t) === 0x4949;
    var u16 = function (o) { return v.getUint16(t + o, le); }, u32 = function (o) { return v.getUint32(t + o, le); };
    function entries(ifd, fn) {
      if (t + ifd + 2 > v.byteLength) { return; }
      var n = u16(ifd);
      for (var i = 0; i < n; i++) {
        var e = ifd + 2 + i * 12;
        if (t + e + 12 > v.byteLength) { return; }
        fn(u16(e), u16(e + 2), u32(e + 4), e + 8);
      }
    }
    var gpsIFD = 0;
    entries(u32(4), function (tag, type, count, valOff) { if (tag === 0x8825) { gpsIFD = u32(valOff); } });
    if (!gpsIFD) { return null; }
    var g = {};
    entries(gpsIFD, function (tag, type, count, valOff) {
      if ((tag === 1 || tag === 3) && type === 2) { g[tag] = String.fromCharCode(v.getUint8(t + valOff)); }
      if ((tag === 2 || tag === 4) && type === 5 && count === 3) {
        var at = u32(valOff), deg = 0;
        for (var k = 0; k < 3; k++) {
          if (t + at + k * 8 + 8 > v.byteLength) { return; }
          var den = u32(at + k * 8 + 4);
          deg += den ? u32(at + k * 8) / den / Math.pow(60, k) : 0;
        }
        g[tag] = deg;
      }
    });
    if (typeof g[2] !== "number" || typeof g[4] !== "number" || (g[2] === 0 && g[4] === 0)) { return null; }
    return { lat: g[1] === "S" ? -g[2] : g[2], lng: g[3] === "W" ? -g[4] : g[4] };
  }
  function photoPosition(file) {
    if (!file || !/jpe?g$/i.test(file.type.split("/")[1] || "")) { return Promise.resolve(null); }
    return file.slice(0, 256 * 1024).arrayBuffer().then(exifPosition).catch(function () { return null; });
  }

  function option(sel, value, text) {
    var o = document.createElement("option");
    o.value = value; o.textContent = text;
    sel.appendChild(o);
    return o;
  }
  function short(name) { return name.replace(/(居民委员会|村民委员会)$/, ""); }

  // A form's place: the map (tap or drag), the phone's position, the
  // photo's position, the street → community → site lists and a search.
  // Each fills the same fields — longitude, latitude and region — which
  // stay in the form, folded away under 坐标与区划代码.
  function picker(el) {
    var form = el.closest("form");
    var lngIn = document.getElementById(el.getAttribute("data-lng-input"));
    var latIn = document.getElementById(el.getAttribute("data-lat-input"));
    var regionIn = form && form.querySelector("[name=region_code]");
    var pick = form && form.querySelector("[data-place-pick]");
    var chosen = pick && pick.querySelector("[data-pick-chosen]");
    var status = form && form.querySelector("[data-locate-status]");
    var map = baseMap(el, { zoom: 13 });
    var lng = parseFloat(lngIn.value), lat = parseFloat(latIn.value);
    var has = !isNaN(lng) && !isNaN(lat);
    var marker = L.marker(has ? show(lng, lat) : center, { draggable: true, keyboard: true });
    if (has) { marker.addTo(map); map.setView(show(lng, lat), 16); }
    function tell(text) { if (chosen) { chosen.textContent = text; } }
    function put(lngV, latV, region, label) {
      lngIn.value = lngV.toFixed(6); latIn.value = latV.toFixed(6);
      if (regionIn) { regionIn.value = region || ""; }
      marker.setLatLng(show(lngV, latV)).addTo(map);
      map.setView(show(lngV, latV), Math.max(map.getZoom(), 16));
      tell(label || "");
      form.dispatchEvent(new CustomEvent("place-chosen", { bubbles: true }));
    }
    marker.on("dragend", function () { var w = store(marker.getLatLng()); put(w[0], w[1], "", pick && pick.getAttribute("data-label-map")); });
    map.on("click", function (e) { var w = store(e.latlng); put(w[0], w[1], "", pick && pick.getAttribute("data-label-map")); });
    [lngIn, latIn].forEach(function (i) {
      i.addEventListener("change", function () {
        var a = parseFloat(lngIn.value), b = parseFloat(latIn.value);
        if (!isNaN(a) && !isNaN(b)) { marker.setLatLng(show(a, b)).addTo(map); map.panTo(show(a, b)); }
      });
    });
    var btn = form && form.querySelector("[data-locate]");
    if (btn) {
      btn.addEventListener("click", function () {
        if (status) { status.textContent = WMGeo.text("locating") || "…"; }
        // The failures are told in Chinese with what to do next (geo.js).
        WMGeo.locate(function (pos) {
          var c = pos.coords;
          if (status) { status.textContent = "±" + WMGeo.distanceText(c.accuracy); }
          put(c.longitude, c.latitude, "", btn.getAttribute("data-label-gps"));
        }, function (msg) { if (status) { status.textContent = msg; } });
      });
    }
    var photos = form && form.querySelector("input[type=file][name=photos]");
    var photoBtn = form && form.querySelector("[data-photo-place]");
    if (photos && photoBtn) {
      var found = null;
      photos.addEventListener("change", function () {
        found = null; photoBtn.hidden = true;
        photoPosition(photos.files && photos.files[0]).then(function (p) {
          if (!p) { return; }
          found = p; photoBtn.hidden = false;
          // The photo shows where the problem is: used at once unless a
          // place was chosen already.
          if (!lngIn.value) { put(p.lng, p.lat, "", photoBtn.getAttribute("data-label-photo")); }
        });
      });
      photoBtn.addEventListener("click", function () { if (found) { put(found.lng, found.lat, "", photoBtn.getAttribute("data-label-photo")); } });
    }
    if (pick) { pickLists(pick, map, put); }
  }

  function pickLists(pick, map, put) {
    var street = pick.querySelector("[data-pick-street]");
    var comm = pick.querySelector("[data-pick-community]");
    var siteSel = pick.querySelector("[data-pick-site]");
    var search = pick.querySelector("[data-pick-search]");
    var results = pick.querySelector("[data-pick-results]");
    var regions = {}, sites = {};
    function reset(sel) {
      while (sel.options.length > 1) { sel.remove(1); }
      sel.disabled = true;
    }
    // A list that cannot be loaded (offline, or too many look-ups a
    // minute) is said under the picker instead of leaving it empty.
    function failed() {
      results.textContent = "";
      var li = document.createElement("li");
      li.className = "muted"; li.textContent = pick.getAttribute("data-failed") || "";
      results.appendChild(li);
    }
    function fill(sel, list) {
      list.forEach(function (x) { regions[x.code] = x; option(sel, x.code, short(x.name)); });
      sel.disabled = list.length === 0;
    }
    function region(code, label) {
      var r = regions[code];
      if (!r || !r.label) { return; }
      put(r.label[0], r.label[1], code, label);
    }
    getJSON(places + "/regions").then(function (res) { fill(street, res.regions || []); }).catch(failed);
    street.addEventListener("change", function () {
      reset(comm); reset(siteSel);
      if (!street.value) { return; }
      var st = regions[street.value];
      region(street.value, short(st.name));
      getJSON(places + "/regions?parent=" + encodeURIComponent(street.value)).then(function (res) { fill(comm, res.regions || []); }).catch(failed);
    });
    comm.addEventListener("change", function () {
      reset(siteSel);
      if (!comm.value) { return; }
      region(comm.value, short(regions[street.value].name) + " · " + short(regions[comm.value].name));
      getJSON(places + "/sites?region=" + encodeURIComponent(comm.value)).then(function (res) {
        (res.sites || []).forEach(function (x, i) { sites["s" + i] = x; option(siteSel, "s" + i, x.name); });
        siteSel.disabled = !(res.sites || []).length;
      }).catch(failed);
    });
    siteSel.addEventListener("change", function () {
      var x = sites[siteSel.value];
      if (!x) { return; }
      put(x.lng, x.lat, x.region, short(regions[street.value].name) + " · " + short(regions[comm.value].name) + " · " + x.name);
      var addr = pick.closest("form").querySelector("[name=address]");
      if (addr && !addr.value) { addr.value = x.address || x.name; }
    });
    if (!search) { return; }
    var timer = 0;
    search.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () {
        var q = search.value.trim();
        results.textContent = "";
        if (!q) { return; }
        getJSON(places + "/search?q=" + encodeURIComponent(q)).then(function (res) {
          results.textContent = "";
          (res.regions || []).concat(res.sites || []).forEach(function (x) {
            var li = document.createElement("li");
            var b = document.createElement("button");
            b.type = "button"; b.className = "link";
            b.textContent = x.code && x.level ? short(x.name) : x.name + (x.address ? "（" + x.address + "）" : "");
            b.addEventListener("click", function () {
              results.textContent = "";
              if (x.level) {
                regions[x.code] = x;
                region(x.code, short(x.name));
              } else {
                put(x.lng, x.lat, x.region, x.name);
                var addr = pick.closest("form").querySelector("[name=address]");
                if (addr && !addr.value) { addr.value = x.address || x.name; }
              }
            });
            li.appendChild(b);
            results.appendChild(li);
          });
          if (!results.children.length) {
            var li = document.createElement("li");
            li.className = "muted"; li.textContent = search.getAttribute("data-none") || "";
            results.appendChild(li);
          }
        }).catch(failed);
      }, 250);
    });
  }

  function casesMap(el) {
    var map = baseMap(el, { zoom: 13, sites: false });
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

  // One case's place, on the case page.
  function pointMap(el) {
    var lng = parseFloat(el.getAttribute("data-lng")), lat = parseFloat(el.getAttribute("data-lat"));
    if (isNaN(lng) || isNaN(lat)) { return; }
    var map = baseMap(el, { zoom: 16 });
    map.setView(show(lng, lat), 16);
    L.marker(show(lng, lat), { keyboard: false }).addTo(map);
  }

  window.WenmingMap = { base: baseMap, outlines: outlines, show: show, exifPosition: exifPosition };

  document.addEventListener("DOMContentLoaded", function () {
    if (typeof L === "undefined") { return; }
    L.Icon.Default.imagePath = body.getAttribute("data-leaflet-images") || "";
    document.querySelectorAll("[data-map]").forEach(picker);
    document.querySelectorAll("[data-cases-map]").forEach(casesMap);
    document.querySelectorAll("[data-point-map]").forEach(pointMap);
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

  // The sites' own markers are drawn on canvas; the base layer's
  // outlines (window.WenmingMap) stay in SVG under them.
  function tilesMap(el, withSites) {
    return window.WenmingMap.base(el, { canvas: true, sites: withSites });
  }

  function line(parent, text, cls) {
    var d = document.createElement("div");
    if (cls) { d.className = cls; }
    d.textContent = text;
    parent.appendChild(d);
    return d;
  }

  function sitesMap(el) {
    var map = tilesMap(el, false);
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
    var map = tilesMap(el, true);
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
