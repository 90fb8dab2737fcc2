// wenming upload: a workbook import shows how far the upload has got (a
// 30 MB ledger takes a while on a slow line), then that the rows are being
// checked, then the page's answer in place. Without script the form posts
// as usual.
(function () {
  "use strict";
  function size(n) {
    return n >= 1048576 ? (n / 1048576).toFixed(1) + " MB" : Math.max(1, Math.round(n / 1024)) + " KB";
  }
  document.addEventListener("submit", function (ev) {
    var form = ev.target;
    if (!form.hasAttribute || !form.hasAttribute("data-upload") || !window.FormData || ev.defaultPrevented) { return; }
    var box = form.querySelector("[data-upload-progress]");
    if (!box) { return; }
    ev.preventDefault();
    var bar = box.querySelector("progress"), text = box.querySelector("[role=status]");
    var button = form.querySelector("button[type=submit]");
    box.hidden = false;
    if (button) { button.disabled = true; }
    var xhr = new XMLHttpRequest();
    xhr.open("POST", form.action);
    xhr.upload.addEventListener("progress", function (e) {
      if (!e.lengthComputable) { return; }
      var pct = Math.round(e.loaded * 100 / e.total);
      bar.value = pct;
      text.textContent = box.getAttribute("data-progress").replace("%s", size(e.loaded)).replace("%s", size(e.total)).replace("%s%%", pct + "%");
    });
    xhr.upload.addEventListener("load", function () {
      bar.removeAttribute("value"); // indeterminate while the server checks
      text.textContent = box.getAttribute("data-checking");
    });
    xhr.addEventListener("load", function () {
      var doc = new DOMParser().parseFromString(xhr.responseText, "text/html");
      var main = doc.querySelector("main"), here = document.querySelector("main");
      if (!main || !here || (xhr.responseURL && xhr.responseURL.split("?")[0] !== form.action.split("?")[0])) {
        window.location.href = xhr.responseURL || form.action;
        return;
      }
      here.replaceWith(main);
      var result = main.querySelector(".flash, .alert");
      if (result && result.scrollIntoView) { result.scrollIntoView({ block: "center" }); }
    });
    xhr.addEventListener("error", function () {
      text.textContent = box.getAttribute("data-failed");
      if (button) { button.disabled = false; }
    });
    xhr.send(new FormData(form));
  });
})();
