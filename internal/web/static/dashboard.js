// wenming dashboard (数据大屏 / 一张图): fetches the board's figures as JSON
// and draws them — KPI cards, ECharts charts, the units' ranking and a
// Leaflet map of the open problems with the sites. The page and the wall
// screen share this file; the wall (data-refresh > 0) fetches again every
// so many seconds without reloading. Everything is built with DOM calls and
// textContent: no inline scripts or style attributes (the CSP forbids
// them), and names from the database are never parsed as HTML.
(function () {
  "use strict";

  var colors = { reported: "#2563eb", closed: "#15803d", previous: "#9ca3af", accent: "#c8161d" };
  var siteColors = { good: "#15803d", fair: "#2563eb", poor: "#d97706", bad: "#dc2626", none: "#9ca3af" };

  function $(id) { return document.getElementById(id); }

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) { e.className = cls; }
    if (text !== undefined && text !== null) { e.textContent = String(text); }
    return e;
  }

  function clear(e) { while (e.firstChild) { e.removeChild(e.firstChild); } }

  function pct(x) { return (x * 100).toFixed(1) + "%"; }

  function fill(text, vals) {
    return String(text).replace(/\{(\w+)\}/g, function (m, k) { return vals[k] !== undefined ? String(vals[k]) : m; });
  }

  function shortDay(d) { return d.slice(5); } // YYYY-MM-DD → MM-DD

  // Times are shown in Beijing time whatever the screen's own zone.
  var beijing = { timeZone: "Asia/Shanghai", hour12: false };

  // fitRows drops the last rows of a ranking until its box fits the wall
  // screen (which never scrolls), and says how many were left out.
  function fitRows(box, body, more) {
    var hidden = 0;
    while (box.scrollHeight > box.clientHeight + 1 && body.rows.length > 1) {
      body.deleteRow(body.rows.length - 1);
      hidden++;
    }
    if (hidden > 0) {
      more(hidden);
      while (box.scrollHeight > box.clientHeight + 1 && body.rows.length > 1) {
        body.deleteRow(body.rows.length - 1);
        hidden++;
        more(hidden);
      }
    }
  }

  function Board(root) {
    this.root = root;
    this.src = root.getAttribute("data-src");
    this.mapSrc = root.getAttribute("data-map-src") || "";
    this.sitesSrc = root.getAttribute("data-sites-src") || "";
    this.refresh = parseInt(root.getAttribute("data-refresh") || "0", 10) || 0;
    this.dark = root.getAttribute("data-theme") === "dark";
    try { this.labels = JSON.parse(root.getAttribute("data-labels") || "{}"); } catch (e) { this.labels = {}; }
    this.charts = {};
    this.group = null;
    this.board = null;
  }

  Board.prototype.t = function (k) { return this.labels[k] || k; };

  Board.prototype.status = function (text, bad) {
    var s = $("dash-status");
    if (!s) { return; }
    s.textContent = text;
    s.classList.toggle("dash-error", !!bad);
  };

  Board.prototype.load = function () {
    var self = this;
    return fetch(this.src, { credentials: "same-origin", headers: { Accept: "application/json" } }).then(function (r) {
      var ct = r.headers.get("Content-Type") || "";
      if (r.redirected || ct.indexOf("application/json") < 0) { throw new Error(self.t("signed_out")); }
      if (!r.ok) { throw new Error(self.t("load_failed")); }
      return r.json();
    }).then(function (b) {
      self.board = b;
      self.render(b);
      var at = new Date(b.generated_at);
      self.status(self.t("updated") + " " + at.toLocaleTimeString("zh-CN", beijing), false);
    }).catch(function (err) {
      self.status(err && err.message ? err.message : self.t("load_failed"), true);
    });
  };

  Board.prototype.render = function (b) {
    var scope = $("dash-scope");
    if (scope) { scope.textContent = b.scope.name || ""; }
    this.kpis(b);
    this.trend(b);
    this.weekly(b);
    this.categories(b);
    this.sources(b);
    this.ranking(b);
    this.inspection(b);
  };

  // KPI cards.
  Board.prototype.kpis = function (b) {
    var box = $("kpis");
    if (!box) { return; }
    var k = b.kpi, self = this;
    var cards = [
      ["filed", k.filed], ["closed", k.closed], ["closure_rate", pct(k.closure_rate)], ["on_time_rate", pct(k.on_time_rate)],
      ["open", k.open], ["overdue", k.overdue, k.overdue > 0], ["rework_rate", pct(k.rework_rate)],
      ["mean_hours", k.handled ? k.mean_handling_hours.toFixed(1) : "—"]
    ];
    clear(box);
    cards.forEach(function (c) {
      var d = el("div", "kpi" + (c[2] ? " warn" : ""));
      d.setAttribute("data-kpi", c[0]);
      d.appendChild(el("span", "num", c[1]));
      d.appendChild(el("span", "", self.t(c[0])));
      box.appendChild(d);
    });
  };

  // chart returns the ECharts instance of the element with id, made once.
  Board.prototype.chart = function (id) {
    var e = $(id);
    if (!e || typeof echarts === "undefined") { return null; }
    if (!this.charts[id]) {
      this.charts[id] = echarts.init(e, this.dark ? "dark" : null, { renderer: "canvas" });
    }
    return this.charts[id];
  };

  // base is what every chart shares. Tooltips are drawn on the canvas
  // (richText): the HTML ones carry style attributes the CSP refuses.
  Board.prototype.base = function (extra) {
    var o = {
      backgroundColor: "transparent",
      textStyle: { fontFamily: "inherit" },
      tooltip: { trigger: "axis", renderMode: "richText", confine: true },
      grid: { left: 8, right: 16, top: 36, bottom: 8, containLabel: true },
      legend: { top: 0 },
      animationDuration: 400
    };
    Object.keys(extra).forEach(function (k) { o[k] = extra[k]; });
    return o;
  };

  Board.prototype.empty = function (chart, has) {
    chart.setOption({ graphic: [{ type: "text", left: "center", top: "middle", invisible: has,
      style: { text: this.t("no_data"), fontSize: 14, fill: this.dark ? "#9ca3af" : "#6b7280" } }] });
  };

  Board.prototype.trend = function (b) {
    var c = this.chart("chart-trend");
    if (!c) { return; }
    c.setOption(this.base({
      xAxis: { type: "category", boundaryGap: false, data: b.daily.map(function (x) { return shortDay(x.day); }) },
      yAxis: { type: "value", minInterval: 1 },
      series: [
        { name: this.t("reported"), type: "line", symbolSize: 4, color: colors.reported, areaStyle: { opacity: 0.12 },
          data: b.daily.map(function (x) { return x.reported; }) },
        { name: this.t("closed"), type: "line", symbolSize: 4, color: colors.closed, areaStyle: { opacity: 0.12 },
          data: b.daily.map(function (x) { return x.closed; }) }
      ]
    }), true);
  };

  Board.prototype.weekly = function (b) {
    var c = this.chart("chart-weekly");
    if (!c) { return; }
    c.setOption(this.base({
      xAxis: { type: "category", data: b.weekly.map(function (x) { return shortDay(x.day); }) },
      yAxis: { type: "value", minInterval: 1 },
      series: [
        { name: this.t("reported"), type: "bar", color: colors.reported, data: b.weekly.map(function (x) { return x.reported; }) },
        { name: this.t("closed"), type: "bar", color: colors.closed, data: b.weekly.map(function (x) { return x.closed; }) }
      ]
    }), true);
  };

  // categories: the ten with most cases, the largest on top; the rest
  // are named in the caption rather than drawn as one long bar.
  Board.prototype.categories = function (b) {
    var c = this.chart("chart-categories");
    if (!c) { return; }
    var rows = b.categories.slice().reverse();
    var other = b.other_categories && b.other_categories.filed > 0 ? b.other_categories : null;
    c.setOption(this.base({
      title: { show: !!other, text: other ? other.name + " " + other.filed + " / " + this.t("closed") + " " + other.closed : "",
        right: 0, bottom: 0, textStyle: { fontSize: 12, fontWeight: "normal", color: this.dark ? "#93a4bf" : "#646a73" } },
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" }, renderMode: "richText", confine: true },
      grid: { left: 8, right: 16, top: 36, bottom: other ? 24 : 8, containLabel: true },
      xAxis: { type: "value", minInterval: 1 },
      yAxis: { type: "category", data: rows.map(function (x) { return x.name; }), axisLabel: { width: 120, overflow: "truncate", interval: 0 } },
      series: [
        { name: this.t("filed"), type: "bar", color: colors.reported, data: rows.map(function (x) { return x.filed; }) },
        { name: this.t("closed"), type: "bar", color: colors.closed, data: rows.map(function (x) { return x.closed; }) }
      ]
    }), true);
    this.empty(c, rows.length > 0);
  };

  Board.prototype.sources = function (b) {
    var c = this.chart("chart-sources");
    if (!c) { return; }
    c.setOption(this.base({
      tooltip: { trigger: "item", renderMode: "richText", confine: true },
      legend: { type: "scroll", bottom: 0, show: b.sources.length > 0 },
      series: [{
        name: this.t("filed"), type: "pie", radius: ["38%", "68%"], center: ["50%", "46%"], showEmptyCircle: false,
        label: { formatter: "{b} {c}" },
        data: b.sources.map(function (x) { return { name: x.name, value: x.filed }; })
      }]
    }), true);
    this.empty(c, b.sources.length > 0);
  };

  // ranking draws the units' table by group (office, leaders) or the
  // unit's own place (a handler).
  Board.prototype.ranking = function (b) {
    var box = $("ranking");
    if (!box) { return; }
    clear(box);
    var self = this;
    if (b.my_rank) {
      var m = b.my_rank, card = el("div", "dash-myrank");
      var title = $("ranking-title");
      if (title) { title.textContent = self.t("my_rank_title"); }
      if (m.rank > 0) {
        card.appendChild(el("div", "dash-myrank-num", m.rank + " / " + m.of));
        card.appendChild(el("p", "", fill(self.t("my_rank"), { group: m.group_name, rank: m.rank, of: m.of })));
      } else if (m.of >= 0 && m.group_name) {
        card.appendChild(el("div", "dash-myrank-num", "—"));
        card.appendChild(el("p", "", fill(self.t("my_not_ranked"), { group: m.group_name, of: m.of, min: b.min_sample })));
      }
      var facts = el("p", "muted", self.t("filed") + " " + m.filed + " · " + self.t("closed") + " " + m.closed + " · " +
        self.t("closure_rate") + " " + pct(m.closure_rate) + " · " + self.t("on_time_rate") + " " + pct(m.on_time_rate));
      card.appendChild(facts);
      box.appendChild(card);
      return;
    }
    if (!b.ranking || !b.ranking.length) {
      box.appendChild(el("p", "muted", b.ranking ? self.t("no_data") : self.t("my_no_rank")));
      return;
    }
    var keys = b.ranking.map(function (g) { return g.key; });
    if (keys.indexOf(this.group) < 0) { this.group = keys[0]; }
    var tabs = el("div", "dash-tabs");
    tabs.setAttribute("role", "tablist");
    b.ranking.forEach(function (g) {
      var t = el("button", g.key === self.group ? "active" : "", g.name);
      t.type = "button";
      t.setAttribute("role", "tab");
      t.setAttribute("aria-selected", String(g.key === self.group));
      t.addEventListener("click", function () { self.group = g.key; self.ranking(self.board); });
      tabs.appendChild(t);
    });
    box.appendChild(tabs);
    var g = b.ranking[keys.indexOf(this.group)];
    var wrap = el("div", "table-wrap dash-table-wrap");
    var table = el("table", "table dash-table");
    var head = el("tr");
    ["rank", "unit", "filed", "closed", "closure_rate", "on_time_rate"].forEach(function (k) { head.appendChild(el("th", "", self.t(k))); });
    var thead = el("thead");
    thead.appendChild(head);
    table.appendChild(thead);
    var body = el("tbody");
    g.units.forEach(function (u) {
      var tr = el("tr", u.rank ? (u.rank <= 3 ? "dash-top" : "") : "muted");
      tr.appendChild(el("td", "dash-rank", u.rank ? u.rank : "—"));
      tr.appendChild(el("td", "", u.name));
      tr.appendChild(el("td", "num", u.filed));
      tr.appendChild(el("td", "num", u.closed));
      tr.appendChild(el("td", "num", u.rank ? pct(u.closure_rate) : self.t("not_ranked")));
      tr.appendChild(el("td", "num", u.rank ? pct(u.on_time_rate) : ""));
      body.appendChild(tr);
    });
    table.appendChild(body);
    wrap.appendChild(table);
    box.appendChild(wrap);
    var note = el("p", "muted", fill(self.t("min_sample"), { min: b.min_sample }));
    box.appendChild(note);
    if (document.body.classList.contains("wall")) {
      var line = null;
      fitRows(box, body, function (n) {
        if (!line) { line = el("p", "muted dash-more"); box.insertBefore(line, note); }
        line.textContent = fill(self.t("more_units"), { n: n });
      });
    }
  };

  // nextGroup shows the next group's ranking (the wall turns them over).
  Board.prototype.nextGroup = function () {
    var b = this.board;
    if (!b || !b.ranking || b.ranking.length < 2) { return; }
    var keys = b.ranking.map(function (g) { return g.key; });
    this.group = keys[(keys.indexOf(this.group) + 1) % keys.length];
    this.ranking(b);
  };

  Board.prototype.inspection = function (b) {
    var panel = $("inspection-panel");
    var s = b.inspection;
    if (panel) { panel.hidden = !s && b.scope.mode !== "all" && b.scope.mode !== "region"; }
    var plan = $("inspection-plan");
    if (plan) {
      plan.textContent = s ? s.plan_name + (s.previous_name ? "（" + this.t("previous_round") + "：" + s.previous_name + "）" : "") +
        " · " + this.t("score_rate") + " " + pct(s.overall) : this.t("no_inspection");
    }
    var self = this;
    // draw: one bar per group, this round beside the previous, names
    // on the left so that long type names stay readable.
    function draw(id, groups, title) {
      var c = self.chart(id);
      if (!c) { return; }
      groups = (groups || []).slice().reverse();
      var series = [{ name: self.t("this_round"), type: "bar", color: colors.accent,
        data: groups.map(function (g) { return g.rated ? +(g.mean * 100).toFixed(1) : null; }) }];
      if (s && s.previous_name) {
        series.push({ name: self.t("previous_round"), type: "bar", color: colors.previous,
          data: groups.map(function (g) { return g.previous === null ? null : +(g.previous * 100).toFixed(1); }) });
      }
      c.setOption(self.base({
        title: { text: title, left: 0, top: 0, textStyle: { fontSize: 13 } },
        legend: { top: 0, right: 0 },
        grid: { left: 8, right: 16, top: 32, bottom: 8, containLabel: true },
        tooltip: { trigger: "axis", axisPointer: { type: "shadow" }, renderMode: "richText", confine: true },
        yAxis: { type: "category", data: groups.map(function (g) { return g.name; }), axisLabel: { width: 96, overflow: "truncate" } },
        xAxis: { type: "value", min: 0, max: 100 },
        series: series
      }), true);
      self.empty(c, groups.length > 0);
    }
    draw("chart-inspection-type", s && s.by_type, this.t("by_type"));
    draw("chart-inspection-street", s && s.by_street, this.t("by_street"));
  };

  Board.prototype.resize = function () {
    var cs = this.charts;
    Object.keys(cs).forEach(function (k) { cs[k].resize(); });
    if (this.map) { this.map.invalidateSize(); }
  };

  // The map: open problems clustered (red when overdue) and the sites as
  // dots coloured by their latest score. Positions come in WGS-84, with
  // the shifted point as properties.view under GCJ-02 tiles.
  Board.prototype.initMap = function () {
    var e = $("dash-map");
    if (!e || typeof L === "undefined") { return; }
    var body = document.body, tiles = body.getAttribute("data-tiles") || "";
    L.Icon.Default.imagePath = body.getAttribute("data-leaflet-images") || "";
    var map = L.map(e, { attributionControl: !!tiles, maxZoom: 19, preferCanvas: true });
    if (tiles) {
      L.tileLayer(tiles, { maxZoom: 19, attribution: body.getAttribute("data-tiles-attribution") || "", subdomains: "1234" }).addTo(map);
    } else {
      e.classList.add("no-tiles");
    }
    map.setView([33.70, 113.33], 12);
    // The district's streets and communities under the markers.
    if (window.WenmingMap) { window.WenmingMap.outlines(map, { sites: false }); }
    this.map = map;
    this.problems = L.markerClusterGroup ? L.markerClusterGroup({ maxClusterRadius: 50 }) : L.layerGroup();
    this.sites = L.layerGroup();
    this.problems.addTo(map);
    var overlays = {};
    overlays[this.t("problems")] = this.problems;
    // The same open problems as a heat layer, off until chosen: where they
    // gather shows at a glance on the wall screen.
    if (L.heatLayer) {
      this.heat = L.heatLayer([], { radius: 22, blur: 18, maxZoom: 16, minOpacity: 0.3 });
      overlays[this.t("heat")] = this.heat;
    }
    if (this.sitesSrc) {
      this.sites.addTo(map);
      overlays[this.t("sites")] = this.sites;
    }
    L.control.layers(null, overlays, { collapsed: false }).addTo(map);
    this.fitted = false;
  };

  function point(f) {
    var c = f.properties.view || f.geometry.coordinates;
    return [c[1], c[0]];
  }

  Board.prototype.loadMap = function () {
    if (!this.map) { return; }
    var self = this;
    var get = function (src) {
      if (!src) { return Promise.resolve({ features: [] }); }
      return fetch(src, { credentials: "same-origin" }).then(function (r) {
        if (!r.ok) { return { features: [] }; }
        return r.json();
      }).catch(function () { return { features: [] }; });
    };
    Promise.all([get(this.mapSrc), get(this.sitesSrc)]).then(function (res) {
      var bounds = [];
      self.problems.clearLayers();
      self.sites.clearLayers();
      var markers = [];
      (res[0].features || []).forEach(function (f) {
        var p = f.properties, ll = point(f);
        var icon = L.divIcon({ className: "dash-pin" + (p.overdue ? " dash-pin-overdue" : ""), iconSize: [14, 14] });
        var m = L.marker(ll, { icon: icon, title: p.code });
        var box = el("div");
        var a = el("a", "", p.code);
        a.href = "/problems/" + p.id;
        box.appendChild(a);
        box.appendChild(el("div", "", p.category));
        box.appendChild(el("div", p.overdue ? "danger" : "muted", p.state + (p.overdue ? " · " + self.t("overdue_marker") : "")));
        m.bindPopup(box);
        markers.push(m);
        bounds.push(ll);
      });
      if (self.problems.addLayers) { self.problems.addLayers(markers); } else { markers.forEach(function (m) { self.problems.addLayer(m); }); }
      if (self.heat) {
        // Overdue problems weigh double.
        self.heat.setLatLngs((res[0].features || []).map(function (f) {
          var ll = point(f);
          return [ll[0], ll[1], f.properties.overdue ? 1 : 0.5];
        }));
      }
      (res[1].features || []).forEach(function (f) {
        var p = f.properties, ll = point(f);
        var m = L.circleMarker(ll, { radius: 6, weight: 2, color: "#ffffff", fillColor: siteColors[p.score_bucket] || siteColors.none, fillOpacity: 0.9 });
        var box = el("div");
        var a = el("a", "", p.name);
        a.href = "/sites/" + p.id;
        box.appendChild(a);
        box.appendChild(el("div", "muted", p.code + " · " + p.type));
        box.appendChild(el("div", "", self.t("score") + "：" + (p.score === null ? "—" : p.score.toFixed(1))));
        box.appendChild(el("div", "", self.t("open_near") + "：" + p.open_problems));
        m.bindPopup(box);
        m.bindTooltip(p.name);
        self.sites.addLayer(m);
        bounds.push(ll);
      });
      if (!self.fitted && bounds.length) {
        self.map.fitBounds(bounds, { maxZoom: 15, padding: [20, 20] });
        self.fitted = true;
      }
    });
  };

  function clock() {
    var c = $("dash-clock");
    if (c) { c.textContent = new Date().toLocaleString("zh-CN", beijing); }
  }

  function fullscreen(btn, board) {
    if (!btn) { return; }
    if (!document.fullscreenEnabled) { btn.hidden = true; return; }
    var enter = btn.textContent;
    btn.addEventListener("click", function () {
      if (document.fullscreenElement) {
        document.exitFullscreen();
      } else {
        document.documentElement.requestFullscreen().catch(function () {});
      }
    });
    document.addEventListener("fullscreenchange", function () {
      btn.textContent = document.fullscreenElement ? board.t("exit_fullscreen") : enter;
      board.resize();
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var root = $("dashboard");
    if (!root) { return; }
    var board = new Board(root);
    window.wenmingDashboard = board; // for the browser test
    board.initMap();
    board.load();
    board.loadMap();
    var timer = null;
    window.addEventListener("resize", function () {
      clearTimeout(timer);
      timer = setTimeout(function () { board.resize(); }, 150);
    });
    fullscreen($("dash-fullscreen"), board);
    if (board.refresh > 0) {
      // The figures every refresh; the map, a heavier download at city
      // scale (up to 20,000 markers), every fifth.
      var ticks = 0;
      setInterval(function () {
        board.load();
        ticks++;
        if (ticks % 5 === 0) { board.loadMap(); }
      }, board.refresh * 1000);
      setInterval(function () { board.nextGroup(); }, 20000);
      clock();
      setInterval(clock, 1000);
    }
  });
})();
