// wenming: the little behaviour pages need beyond HTML.
(function () {
  "use strict";
  // Forms that change something important ask first.
  document.addEventListener("submit", function (ev) {
    var form = ev.target;
    var msg = form.getAttribute && form.getAttribute("data-confirm");
    if (msg && !window.confirm(msg)) {
      ev.preventDefault();
    }
  });
  // htmx requests carry the page's CSRF token.
  document.addEventListener("htmx:configRequest", function (ev) {
    var token = document.body.getAttribute("data-csrf");
    if (token) {
      ev.detail.headers["X-CSRF-Token"] = token;
    }
  });
  // The section bar shows which way it scrolls, and starts with the
  // current section in view.
  document.addEventListener("DOMContentLoaded", function () {
    var wrap = document.querySelector("[data-nav-wrap]");
    var nav = wrap && wrap.querySelector(".nav");
    if (!nav) { return; }
    function edges() {
      wrap.classList.toggle("more-left", nav.scrollLeft > 2);
      wrap.classList.toggle("more-right", nav.scrollLeft + nav.clientWidth < nav.scrollWidth - 2);
    }
    var active = nav.querySelector(".active");
    if (active && active.offsetLeft + active.offsetWidth > nav.clientWidth) {
      nav.scrollLeft = active.offsetLeft - nav.clientWidth / 3;
    }
    nav.addEventListener("scroll", edges, { passive: true });
    window.addEventListener("resize", edges);
    edges();
  });
  // Unit pickers: the list under the search box is asked for as one
  // types (a few units at a time, never every unit of the city), and a
  // name chosen from it sets the hidden id.
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-unitpick]").forEach(function (box) {
      var id = box.querySelector("input[type=hidden]");
      var text = box.querySelector("input[type=search]");
      var list = box.querySelector("datalist");
      var kinds = box.getAttribute("data-kinds");
      var byName = {};
      var timer = null;
      var asked = "";
      function pick() {
        var v = text.value.trim();
        id.value = byName[v] ? String(byName[v]) : "";
      }
      function ask() {
        var q = text.value.trim();
        if (q === "" || q === asked) { return; }
        asked = q;
        fetch("/units/pick?q=" + encodeURIComponent(q) + (kinds ? "&kind=" + encodeURIComponent(kinds) : ""), { credentials: "same-origin" })
          .then(function (res) { return res.ok ? res.json() : { units: [] }; })
          .then(function (data) {
            if (text.value.trim() !== q) { return; }
            list.textContent = "";
            byName = {};
            (data.units || []).forEach(function (u) {
              byName[u.name] = u.id;
              var opt = document.createElement("option");
              opt.value = u.name;
              list.appendChild(opt);
            });
            pick();
          })
          .catch(function () { asked = ""; });
      }
      text.addEventListener("input", function () {
        pick();
        clearTimeout(timer);
        timer = setTimeout(ask, 200);
      });
      text.addEventListener("change", pick);
      if (id.value && text.value) { byName[text.value.trim()] = id.value; }
    });
  });
})();
