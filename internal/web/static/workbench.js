// wenming workbench: an inspector's 离我最近的优先 asks the phone for its
// position once and reloads the workbench with it (?near=lng,lat), so the
// cases to verify come nearest first; a refusal is told in Chinese (geo.js).
(function () {
  "use strict";
  var btn = document.querySelector("[data-nearest]");
  if (!btn || !window.WMGeo) { return; }
  var status = document.querySelector("[data-near-status]");
  btn.addEventListener("click", function () {
    if (status) { status.textContent = WMGeo.text("locating"); }
    WMGeo.locate(function (pos) {
      var q = new URLSearchParams(location.search);
      q.set("near", pos.coords.longitude.toFixed(6) + "," + pos.coords.latitude.toFixed(6));
      location.search = q.toString();
    }, function (msg) { if (status) { status.textContent = msg; } });
  });
})();
