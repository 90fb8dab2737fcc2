// wenming volunteer: the organiser's rotating check-in code (fetched
// again before each one expires) and the volunteer's check-in form, which
// takes the phone's position before it may be sent.
(function () {
  "use strict";
  function rotate(box) {
    var img = box.querySelector("[data-code-img]");
    var status = box.querySelector("[data-code-status]");
    function next(seconds) {
      window.setTimeout(function () {
        fetch(box.getAttribute("data-src"), { credentials: "same-origin", headers: { "Accept": "application/json" } })
          .then(function (r) { if (!r.ok) { throw new Error(String(r.status)); } return r.json(); })
          .then(function (c) {
            img.src = c.png;
            box.setAttribute("data-url", c.url);
            box.setAttribute("data-rotations", String(Number(box.getAttribute("data-rotations") || "0") + 1));
            next(c.expires_in);
          })
          .catch(function () { if (status) { status.textContent = status.getAttribute("data-failed") || "…"; } next(5); });
      }, Math.max(1, seconds) * 1000);
    }
    next(Number(box.getAttribute("data-expires")) || 30);
  }
  function checkin(form) {
    var status = form.querySelector("[data-checkin-status]");
    var button = form.querySelector("[data-checkin-submit]");
    window.WMGeo.locate(function (pos) {
      form.elements.lng.value = String(pos.coords.longitude);
      form.elements.lat.value = String(pos.coords.latitude);
      form.elements.accuracy.value = String(Math.round(pos.coords.accuracy || 0));
      status.textContent = status.getAttribute("data-ready") || "";
      button.disabled = false;
    }, function (msg) {
      status.textContent = msg;
      button.disabled = false; // the server says what is missing
    }, { enableHighAccuracy: true, timeout: 15000, maximumAge: 0 });
  }
  document.addEventListener("DOMContentLoaded", function () {
    var box = document.querySelector("[data-code]");
    if (box) { rotate(box); }
    var form = document.querySelector("[data-checkin-form]");
    if (form && window.WMGeo) { checkin(form); }
  });
})();
