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
})();
