// wenming: pickers of several units. The names box becomes a search box
// that asks /units/pick as one types (a few units at a time, never every
// unit of the city); a unit chosen from the suggestions becomes a chip
// that posts its id as a hidden input under the picker's field, and the
// chip's button or backspace in the empty box removes it. Texts come
// from the page (data- attributes), in the page's language.
(function () {
  "use strict";
  var seq = 0;
  function fill(text, v) { return (text || "").replace("%s", v); }

  function setup(box) {
    var d = box.dataset;
    var field = d.field;
    var chips = box.querySelector("ul.chips");
    var area = box.querySelector("textarea");
    var hint = box.querySelector("small");
    if (!field || !chips || !area) { return; }
    var id = "unitpicks-" + (++seq);

    // The search box takes the names box's place and name: text left in
    // it unpicked is still sent, and the server finds the unit or says why.
    var input = document.createElement("input");
    input.type = "text";
    input.name = area.name;
    input.id = area.id;
    input.value = area.value.split(/\s*[\r\n]+\s*/).filter(Boolean).join("、");
    input.autocomplete = "off";
    input.placeholder = d.search || "";
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", id + "-list");
    ["aria-labelledby", "aria-describedby", "aria-invalid"].forEach(function (a) {
      if (area.hasAttribute(a)) { input.setAttribute(a, area.getAttribute(a)); }
    });
    area.parentNode.replaceChild(input, area);
    if (hint) { hint.textContent = d.keys || ""; }

    var list = document.createElement("ul");
    list.id = id + "-list";
    list.className = "unitpicks-list";
    list.setAttribute("role", "listbox");
    list.setAttribute("aria-label", d.suggestions || "");
    list.hidden = true;
    input.parentNode.insertBefore(list, input.nextSibling);
    var status = document.createElement("span");
    status.className = "sr-only";
    status.setAttribute("role", "status");
    status.setAttribute("aria-live", "polite");
    box.appendChild(status);

    var chosen = {};
    function addChip(unitID, name) {
      unitID = String(unitID);
      if (chosen[unitID]) { return; }
      chosen[unitID] = true;
      var li = document.createElement("li");
      li.className = "chip";
      var hidden = document.createElement("input");
      hidden.type = "hidden";
      hidden.name = field;
      hidden.value = unitID;
      var label = document.createElement("span");
      label.className = "chip-name";
      label.textContent = name;
      var remove = document.createElement("button");
      remove.type = "button";
      remove.className = "chip-remove";
      remove.setAttribute("aria-label", fill(d.remove, name));
      remove.textContent = "×";
      li.appendChild(hidden);
      li.appendChild(label);
      li.appendChild(remove);
      chips.appendChild(li);
    }
    function removeChip(li) {
      var hidden = li.querySelector("input[type=hidden]");
      var name = li.querySelector(".chip-name").textContent;
      delete chosen[hidden.value];
      li.parentNode.removeChild(li);
      status.textContent = fill(d.removed, name);
      input.focus();
    }
    // The chips the page brought (ticked boxes without the script).
    Array.prototype.slice.call(chips.querySelectorAll("li")).forEach(function (li) {
      var tick = li.querySelector("input[type=checkbox]");
      var name = li.querySelector(".chip-name");
      li.parentNode.removeChild(li);
      if (tick && tick.checked) { addChip(tick.value, name ? name.textContent : li.textContent.trim()); }
    });
    chips.addEventListener("click", function (ev) {
      var btn = ev.target.closest ? ev.target.closest(".chip-remove") : null;
      if (btn) { removeChip(btn.parentNode); }
    });

    var items = [], active = -1, timer = null, asked = "", picked = false;
    function close() {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }
    function mark() {
      Array.prototype.forEach.call(list.children, function (li, i) {
        li.setAttribute("aria-selected", i === active ? "true" : "false");
      });
      if (active >= 0) {
        input.setAttribute("aria-activedescendant", id + "-opt-" + active);
        if (list.children[active].scrollIntoView) { list.children[active].scrollIntoView({ block: "nearest" }); }
      } else {
        input.removeAttribute("aria-activedescendant");
      }
    }
    function show(units) {
      list.textContent = "";
      items = units.filter(function (u) { return !chosen[String(u.id)]; });
      active = -1;
      if (items.length === 0) {
        close();
        status.textContent = d.none || "";
        return;
      }
      items.forEach(function (u, i) {
        var li = document.createElement("li");
        li.id = id + "-opt-" + i;
        li.setAttribute("role", "option");
        li.setAttribute("aria-selected", "false");
        li.textContent = u.name;
        if (u.parent) {
          var p = document.createElement("span");
          p.className = "muted";
          p.textContent = u.parent;
          li.appendChild(p);
        }
        // A press on a suggestion keeps the focus in the search box.
        li.addEventListener("mousedown", function (ev) { ev.preventDefault(); });
        li.addEventListener("click", function () { pick(i); });
        list.appendChild(li);
      });
      list.hidden = false;
      input.setAttribute("aria-expanded", "true");
      status.textContent = fill(d.found, items.length);
    }
    function pick(i) {
      var u = items[i];
      if (!u) { return; }
      addChip(u.id, u.name);
      input.value = "";
      asked = "";
      items = [];
      close();
      status.textContent = fill(d.added, u.name);
      input.focus();
    }
    function move(step) {
      if (items.length === 0) { return; }
      if (list.hidden) {
        list.hidden = false;
        input.setAttribute("aria-expanded", "true");
      }
      active = (active + step + items.length) % items.length;
      mark();
    }
    function ask() {
      var q = input.value.trim();
      if (q === "") { items = []; asked = ""; close(); return; }
      if (q === asked) { return; }
      asked = q;
      fetch("/units/pick?q=" + encodeURIComponent(q) + (d.kinds ? "&kind=" + encodeURIComponent(d.kinds) : ""), { credentials: "same-origin" })
        .then(function (res) { return res.ok ? res.json() : { units: [] }; })
        .then(function (data) {
          if (input.value.trim() !== q) { return; }
          show(data.units || []);
        })
        .catch(function () { asked = ""; });
    }
    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(ask, 200);
    });
    input.addEventListener("keydown", function (ev) {
      switch (ev.key) {
      case "ArrowDown":
        ev.preventDefault();
        move(1);
        break;
      case "ArrowUp":
        ev.preventDefault();
        move(-1);
        break;
      case "Enter":
        if (!list.hidden && items.length > 0) {
          ev.preventDefault();
          picked = true;
          pick(active >= 0 ? active : 0);
        }
        break;
      case "Escape":
        if (!list.hidden) {
          ev.preventDefault();
          close();
        }
        break;
      case "Backspace":
        if (input.value === "" && chips.lastElementChild) {
          ev.preventDefault();
          removeChip(chips.lastElementChild);
        }
        break;
      }
    });
    // The enter that picked a suggestion does not send the form, even
    // where its keypress comes on its own.
    input.addEventListener("keypress", function (ev) {
      if (ev.key === "Enter" && picked) { ev.preventDefault(); }
      picked = false;
    });
    input.addEventListener("keyup", function () { picked = false; });
    input.addEventListener("blur", close);
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-unitpicks]").forEach(setup);
  });
})();
