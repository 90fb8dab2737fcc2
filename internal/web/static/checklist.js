// wenming checklist: keeps the draft of a site's checklist in the browser,
// so a lost connection or a reload loses nothing, and gives each checklist
// one id so that sending it twice records it once.
(function () {
  "use strict";
  function uuid() {
    if (window.crypto && crypto.randomUUID) { return crypto.randomUUID(); }
    var b = new Uint8Array(16); crypto.getRandomValues(b);
    return Array.prototype.map.call(b, function (x) { return ("0" + x.toString(16)).slice(-2); }).join("");
  }
  document.addEventListener("DOMContentLoaded", function () {
    var done = document.querySelector("[data-clear-draft]");
    if (done) { localStorage.removeItem(done.getAttribute("data-clear-draft")); }
    var form = document.getElementById("checklist");
    if (!form) { return; }
    var key = form.getAttribute("data-draft");
    var draft = {};
    try { draft = JSON.parse(localStorage.getItem(key) || "{}"); } catch (e) { draft = {}; }
    var cid = form.elements.client_id;
    if (!cid.value) { cid.value = draft.client_id || uuid(); }
    draft.client_id = cid.value;
    // Restore what was entered (files cannot be kept by the browser).
    Object.keys(draft.fields || {}).forEach(function (name) {
      var v = draft.fields[name];
      var els = form.querySelectorAll('[name="' + name + '"]');
      els.forEach(function (el) {
        if (el.type === "radio") { el.checked = el.value === v; } else if (el.type !== "file") { el.value = v; }
      });
    });
    function save() {
      var fields = {};
      Array.prototype.forEach.call(form.elements, function (el) {
        if (!el.name || el.type === "file" || el.type === "hidden") { return; }
        if (el.type === "radio") { if (el.checked) { fields[el.name] = el.value; } return; }
        fields[el.name] = el.value;
      });
      draft.fields = fields;
      localStorage.setItem(key, JSON.stringify(draft));
      mark();
    }
    function mark() {
      form.querySelectorAll("[data-criterion]").forEach(function (fs) {
        var failed = fs.querySelector('input[type=radio][value=fail]:checked');
        fs.classList.toggle("failed", !!failed);
        var photo = fs.querySelector("input[type=file]");
        if (photo) { photo.required = !!failed; }
      });
    }
    form.addEventListener("input", save);
    form.addEventListener("change", save);
    save();
    // Where the inspector stands, and a warning when far from the site;
    // a failure is told in words (geo.js) and does not stop the checklist.
    var pos = form.querySelector("[data-position]");
    WMGeo.locate(function (p) {
      form.elements.lng.value = p.coords.longitude; form.elements.lat.value = p.coords.latitude;
      var slng = parseFloat(form.getAttribute("data-site-lng")), slat = parseFloat(form.getAttribute("data-site-lat"));
      if (!isNaN(slng) && !isNaN(slat)) {
        var d = WMGeo.distance(slat, slng, p.coords.latitude, p.coords.longitude);
        pos.textContent = WMGeo.distanceText(d);
        if (d > 300) { pos.className = "notice"; pos.textContent = form.getAttribute("data-far").replace("%d", Math.round(d)); }
      } else { pos.textContent = ""; }
    }, function (msg) { pos.className = "notice"; pos.textContent = msg; });
  });
})();
