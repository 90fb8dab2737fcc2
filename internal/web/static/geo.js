// wenming geo: the browser's position for any page, with its failures told
// in the page's own words (permission refused, unavailable, timed out, no
// support, not HTTPS) and what to do next, instead of the browser's raw
// English ("User denied Geolocation"). The texts come from the catalogue
// through the {{template "geotexts"}} element.
(function () {
  "use strict";
  function text(name) {
    var el = document.getElementById("wm-geo-texts");
    return (el && el.getAttribute("data-" + name)) || "";
  }
  // message turns a GeolocationPositionError (or nothing: no support)
  // into a sentence, followed by what the page offers instead.
  function message(err) {
    var next = text("next");
    return what(err) + (next ? " " + next : "");
  }
  function what(err) {
    if (!navigator.geolocation) { return text("unsupported"); }
    if (!window.isSecureContext) { return text("insecure"); }
    if (!err) { return text("unavailable"); }
    switch (err.code) {
      case 1: return text("denied");
      case 3: return text("timeout");
      default: return text("unavailable");
    }
  }
  // locate asks once for the position; fail receives the sentence and the
  // error.
  function locate(ok, fail, opts) {
    if (!navigator.geolocation || !window.isSecureContext) { fail(message(null), null); return; }
    navigator.geolocation.getCurrentPosition(ok, function (err) { fail(message(err), err); },
      opts || { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 });
  }
  // distance in metres between two WGS-84 points (haversine).
  function distance(lat1, lng1, lat2, lng2) {
    var r = 6371008.8, toR = Math.PI / 180;
    var dLat = (lat2 - lat1) * toR, dLng = (lng2 - lng1) * toR;
    var h = Math.sin(dLat / 2) * Math.sin(dLat / 2) + Math.cos(lat1 * toR) * Math.cos(lat2 * toR) * Math.sin(dLng / 2) * Math.sin(dLng / 2);
    return 2 * r * Math.asin(Math.min(1, Math.sqrt(h)));
  }
  // distanceText says a distance in metres in the page's words (米, 公里).
  function distanceText(m) {
    if (m < 1000) { return text("meters").replace("%s", String(Math.round(m))); }
    return text("km").replace("%s", (m / 1000).toFixed(1));
  }
  window.WMGeo = { message: message, locate: locate, distance: distance, distanceText: distanceText, text: text };
})();
