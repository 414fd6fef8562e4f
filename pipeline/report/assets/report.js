/* kehoach review report: the paged, sortable, filterable tables of the summary page.
   Data comes from report-data.js (window.KEHOACH_DATA), a script because browsers refuse fetch()
   on file:// pages. Only the visible page of rows is put into the DOM; every text goes in through
   textContent, never innerHTML. Document pages load this file too and find nothing to do. */
(function () {
  "use strict";
  var D = window.KEHOACH_DATA;
  if (!D) return;
  var PAGE = 50;
  var SEV = { error: 0, warning: 1, info: 2 };

  function fmt(v) {
    v = v == null ? "" : String(v);
    return /^-?\d+$/.test(v) ? v.replace(/\B(?=(\d{3})+(?!\d))/g, ".") : v;
  }
  function byId(id) { return document.getElementById(id); }
  function docHref(doc, anchor) {
    return "docs/" + encodeURIComponent(doc[0]) + ".html" + (anchor ? "#" + encodeURIComponent(anchor) : "");
  }
  function cmp(a, b) {
    if (typeof a === "number" && typeof b === "number") return a - b;
    return String(a).localeCompare(String(b), "vi");
  }
  function num(v) { return /^-?\d+$/.test(String(v)) ? Number(v) : -Infinity; }

  /* cols: [{label, value(row) -> text, sort(row) -> key, href(row) -> url, cls}];
     filters: [{id, value(row) -> text, order(a, b)}]; text(row) -> text searched by the text box */
  function PagedTable(kind, rows, cols, filters, text, initialSort) {
    var table = byId(kind + "-table");
    if (!table) return;
    var state = { page: 0, sort: initialSort || null, dir: initialSort ? initialSort.dir : 1, shown: rows };
    var thead = table.tHead, tbody = table.tBodies[0];
    var tr = document.createElement("tr");
    cols.forEach(function (c, i) {
      var th = document.createElement("th");
      th.textContent = c.label;
      th.title = "sort by " + c.label;
      th.addEventListener("click", function () {
        if (state.sort && state.sort.col === i) state.dir = -state.dir; else { state.sort = { col: i }; state.dir = 1; }
        apply();
      });
      tr.appendChild(th);
    });
    thead.appendChild(tr);
    filters.forEach(function (f) {
      var sel = byId(f.id);
      if (!sel) return;
      var counts = {};
      rows.forEach(function (r) { var v = f.value(r); counts[v] = (counts[v] || 0) + 1; });
      Object.keys(counts).sort(f.order || cmp).forEach(function (v) {
        var o = document.createElement("option");
        o.value = v;
        o.textContent = (v === "" ? "(none)" : v) + " (" + counts[v] + ")";
        sel.appendChild(o);
      });
      sel.addEventListener("change", function () { state.page = 0; apply(); });
    });
    var box = byId(kind + "-text");
    var haystack = null;
    if (box) box.addEventListener("input", function () { state.page = 0; apply(); });
    byId(kind + "-prev").addEventListener("click", function () { if (state.page > 0) { state.page--; draw(); } });
    byId(kind + "-next").addEventListener("click", function () {
      if ((state.page + 1) * PAGE < state.shown.length) { state.page++; draw(); }
    });

    function apply() {
      var active = filters.map(function (f) { var s = byId(f.id); return s && s.value !== "" ? [f, s.value] : null; })
        .filter(Boolean);
      var q = box ? box.value.trim().toLowerCase() : "";
      if (q && !haystack) haystack = rows.map(function (r) { return text(r).toLowerCase(); });
      var out = [];
      for (var i = 0; i < rows.length; i++) {
        var r = rows[i], ok = true;
        for (var j = 0; j < active.length && ok; j++) ok = active[j][0].value(r) === active[j][1];
        if (ok && q) ok = haystack[i].indexOf(q) >= 0;
        if (ok) out.push(r);
      }
      if (state.sort) {
        var c = cols[state.sort.col], key = c.sort || c.value, dir = state.dir;
        out = out.map(function (r, i) { return [key(r), i, r]; });
        out.sort(function (a, b) { return dir * cmp(a[0], b[0]) || a[1] - b[1]; });
        out = out.map(function (x) { return x[2]; });
      }
      state.shown = out;
      Array.prototype.forEach.call(thead.rows[0].cells, function (th, i) {
        th.className = state.sort && state.sort.col === i ? (state.dir > 0 ? "asc" : "desc") : "";
      });
      draw();
    }

    function draw() {
      var start = state.page * PAGE, end = Math.min(start + PAGE, state.shown.length);
      var frag = document.createDocumentFragment();
      for (var i = start; i < end; i++) {
        var r = state.shown[i], row = document.createElement("tr");
        cols.forEach(function (c) {
          var td = document.createElement("td"), v = c.money ? fmt(c.value(r)) : String(c.value(r) == null ? "" : c.value(r));
          if (c.cls) td.className = typeof c.cls === "function" ? c.cls(r) : c.cls;
          if (c.href) {
            var a = document.createElement("a");
            a.href = c.href(r);
            a.textContent = v || "—";
            td.appendChild(a);
          } else td.textContent = v;
          row.appendChild(td);
        });
        frag.appendChild(row);
      }
      tbody.textContent = "";
      tbody.appendChild(frag);
      var n = state.shown.length, pages = Math.max(1, Math.ceil(n / PAGE));
      byId(kind + "-count").textContent = n + (n === rows.length ? "" : " of " + rows.length) + " " + kind;
      byId(kind + "-page").textContent = "page " + (state.page + 1) + " of " + pages;
      byId(kind + "-prev").disabled = state.page === 0;
      byId(kind + "-next").disabled = end >= n;
    }

    apply();
  }

  var docs = D.docs.rows;
  var F = D.findings.rows;
  function doc(r) { return docs[r[0]]; }
  var sevOrder = function (a, b) { return (SEV[a] ?? 9) - (SEV[b] ?? 9); };

  PagedTable("findings", F, [
    { label: "plan", value: function (r) { return doc(r)[1]; }, href: function (r) { return docHref(doc(r), r[7]); } },
    { label: "issuer", value: function (r) { return doc(r)[3]; } },
    { label: "year", value: function (r) { return doc(r)[4]; } },
    { label: "check", value: function (r) { return r[1]; }, cls: "code" },
    { label: "severity", value: function (r) { return r[2]; }, sort: function (r) { return SEV[r[2]] ?? 9; },
      cls: function (r) { return "sev sev-" + r[2]; } },
    { label: "where", value: function (r) { return r[3]; }, href: function (r) { return docHref(doc(r), r[7]); } },
    { label: "expected", value: function (r) { return r[4]; }, sort: function (r) { return num(r[4]); }, cls: "num", money: true },
    { label: "found", value: function (r) { return r[5]; }, sort: function (r) { return num(r[5]); }, cls: "num", money: true },
    { label: "message", value: function (r) { return r[6]; } }
  ], [
    { id: "findings-check", value: function (r) { return r[1]; } },
    { id: "findings-severity", value: function (r) { return r[2]; }, order: sevOrder },
    { id: "findings-issuer", value: function (r) { return doc(r)[3]; } },
    { id: "findings-year", value: function (r) { return String(doc(r)[4]); } }
  ], function (r) { var d = doc(r); return d[2] + " " + d[1] + " " + r[6]; });

  PagedTable("plans", docs, [
    { label: "plan", value: function (d) { return d[2]; }, href: function (d) { return docHref(d, ""); } },
    { label: "source", value: function (d) { return d[1]; } },
    { label: "issuer", value: function (d) { return d[3]; } },
    { label: "year", value: function (d) { return d[4]; } },
    { label: "status", value: function (d) { return d[5]; }, cls: function (d) { return "status st-" + d[5]; } },
    { label: "findings", value: function (d) { return String(d[6]); }, sort: function (d) { return d[6]; }, cls: "num" },
    { label: "in question (đ)", value: function (d) { return String(d[7]); }, sort: function (d) { return d[7]; }, cls: "num", money: true }
  ], [
    { id: "plans-status", value: function (d) { return d[5]; } },
    { id: "plans-issuer", value: function (d) { return d[3]; } },
    { id: "plans-year", value: function (d) { return String(d[4]); } }
  ], function (d) { return d[2] + " " + d[1]; }, { col: 6, dir: -1 });

  window.KEHOACH_RENDERED = performance.now();
  document.body.setAttribute("data-rendered", "1");
})();
