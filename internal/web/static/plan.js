// wenming plan: a plan's sites nearest first once the inspector's position
// is known. The button asks for it; when the browser already has the
// permission the sort happens by itself. Failures are told by geo.js.
(function () {
  "use strict";
  function sortNear(lat, lng) {
    document.querySelectorAll("[data-near-sort]").forEach(function (body) {
      var rows = Array.prototype.slice.call(body.querySelectorAll("tr[data-site]"));
      rows.forEach(function (tr) {
        var a = parseFloat(tr.getAttribute("data-lat")), b = parseFloat(tr.getAttribute("data-lng"));
        tr._d = isNaN(a) || isNaN(b) ? Infinity : WMGeo.distance(lat, lng, a, b);
        var out = tr.querySelector("[data-dist]");
        if (out) { out.textContent = tr._d === Infinity ? "" : WMGeo.distanceText(tr._d); }
      });
      // Stable: sites without a place keep their order, at the end.
      rows.map(function (tr, i) { return [tr, i]; })
        .sort(function (x, y) { return (x[0]._d - y[0]._d) || (x[1] - y[1]); })
        .forEach(function (p) { body.appendChild(p[0]); });
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    var btn = document.querySelector("[data-nearest]");
    if (!btn) { return; }
    var status = document.querySelector("[data-near-status]");
    function go() {
      status.textContent = WMGeo.text("locating");
      WMGeo.locate(function (p) {
        status.textContent = "";
        btn.setAttribute("aria-pressed", "true");
        sortNear(p.coords.latitude, p.coords.longitude);
      }, function (msg) { status.textContent = msg; });
    }
    btn.addEventListener("click", go);
    if (navigator.permissions && navigator.permissions.query) {
      navigator.permissions.query({ name: "geolocation" }).then(function (st) { if (st.state === "granted") { go(); } }, function () {});
    }
  });
})();
