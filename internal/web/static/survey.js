// wenming survey: the interview on the phone. One question a screen, the
// skip logic (a question shown only when an earlier one has an answer),
// required answers checked before moving on, and the draft kept in the
// browser so a reload or a lost connection loses nothing; each submission
// has one client id, so sending it twice records it once. Without
// JavaScript the form shows every question and the server checks it.
(function () {
  "use strict";
  function uuid() {
    if (window.crypto && crypto.randomUUID) { return crypto.randomUUID(); }
    var b = new Uint8Array(16); crypto.getRandomValues(b);
    return Array.prototype.map.call(b, function (x) { return ("0" + x.toString(16)).slice(-2); }).join("");
  }
  function locateInto(forms, pos) {
    if (!window.WMGeo) { return; }
    WMGeo.locate(function (p) {
      forms.forEach(function (f) { f.elements.lng.value = p.coords.longitude; f.elements.lat.value = p.coords.latitude; });
      if (pos) { pos.textContent = ""; }
    }, function (msg) { if (pos) { pos.className = "notice"; pos.textContent = msg; } });
  }
  document.addEventListener("DOMContentLoaded", function () {
    var done = document.querySelector("[data-clear-draft]");
    if (done) { localStorage.removeItem(done.getAttribute("data-clear-draft")); }
    var pos = document.querySelector("[data-position]");
    var visitForms = Array.prototype.slice.call(document.querySelectorAll("form[data-locate]"));
    var form = document.getElementById("survey-interview");
    if (!form) { if (visitForms.length) { locateInto(visitForms, pos); } else if (pos) { pos.textContent = ""; } return; }
    locateInto([form], pos);
    var key = form.getAttribute("data-draft");
    var draft = {};
    try { draft = JSON.parse(localStorage.getItem(key) || "{}"); } catch (e) { draft = {}; }
    var cid = form.elements.client_id;
    if (draft.client_id) { cid.value = draft.client_id; } else if (!cid.value) { cid.value = uuid(); }
    draft.client_id = cid.value;
    draft.started_at = draft.started_at || Date.now();
    form.elements.started_at.value = draft.started_at;
    var qs = Array.prototype.slice.call(form.querySelectorAll("fieldset[data-q]"));
    var byCode = {};
    qs.forEach(function (q) { byCode[q.getAttribute("data-q")] = q; });
    // Restore the draft's answers over what the page came with.
    if (draft.fields) {
      qs.forEach(function (q) {
        q.querySelectorAll("input, textarea").forEach(function (el) {
          var v = draft.fields[el.name];
          if (v === undefined) { return; }
          if (el.type === "radio" || el.type === "checkbox") { el.checked = v.indexOf(el.value) >= 0; } else { el.value = v[0] || ""; }
        });
      });
    }
    function values(q) {
      var out = [];
      q.querySelectorAll("input, textarea").forEach(function (el) {
        if (!el.name || el.name.indexOf("q_") !== 0) { return; }
        if (el.type === "radio" || el.type === "checkbox") { if (el.checked) { out.push(el.value); } } else if (el.value.trim() !== "") { out.push(el.value.trim()); }
      });
      return out;
    }
    function visible(q) {
      var on = q.getAttribute("data-show-if");
      if (!on) { return true; }
      var ctl = byCode[on];
      return !!ctl && visible(ctl) && values(ctl).indexOf(q.getAttribute("data-show-answer")) >= 0;
    }
    function save() {
      var fields = {};
      Array.prototype.forEach.call(form.elements, function (el) {
        if (!el.name || el.type === "hidden" || el.type === "submit" || el.type === "button") { return; }
        if (!fields[el.name]) { fields[el.name] = []; }
        if (el.type === "radio" || el.type === "checkbox") { if (el.checked) { fields[el.name].push(el.value); } } else { fields[el.name] = [el.value]; }
      });
      draft.fields = fields;
      draft.step = step;
      localStorage.setItem(key, JSON.stringify(draft));
    }
    function complaints() {
      qs.forEach(function (q) {
        var box = q.querySelector("[data-complaint-box]");
        if (!box) { return; }
        box.classList.toggle("open", !!q.querySelector("input[data-complaint]:checked"));
      });
    }
    var err = form.querySelector("[data-step-error]");
    var stepOf = form.querySelector("[data-step-of]");
    var step = typeof draft.step === "number" ? draft.step : 0;
    function shown() { return qs.filter(visible); }
    function show() {
      var list = shown();
      step = Math.max(0, Math.min(step, list.length - 1));
      qs.forEach(function (q) { q.classList.remove("current"); q.disabled = !visible(q); });
      if (list[step]) { list[step].classList.add("current"); }
      form.classList.toggle("at-end", step >= list.length - 1);
      form.querySelector("[data-step-prev]").disabled = step === 0;
      stepOf.textContent = form.getAttribute("data-step-text").replace("%d", step + 1).replace("%d", list.length);
      err.hidden = true;
    }
    function check(q) {
      if (q.hasAttribute("data-required") && values(q).length === 0) {
        err.textContent = form.getAttribute("data-required-msg"); err.hidden = false;
        return false;
      }
      return true;
    }
    form.classList.add("js-steps");
    form.querySelector("[data-step-next]").addEventListener("click", function () {
      var list = shown();
      if (!check(list[step])) { return; }
      step++; show(); save(); window.scrollTo(0, 0);
    });
    form.querySelector("[data-step-prev]").addEventListener("click", function () { step--; show(); save(); });
    form.addEventListener("change", function () { complaints(); save(); form.classList.toggle("at-end", step >= shown().length - 1); });
    form.addEventListener("input", save);
    form.addEventListener("submit", function (e) {
      var list = shown();
      for (var i = 0; i < list.length; i++) {
        if (!check(list[i])) { step = i; show(); err.hidden = false; e.preventDefault(); return; }
      }
      save();
    });
    complaints(); show(); save();
  });
})();
