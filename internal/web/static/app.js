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
})();
