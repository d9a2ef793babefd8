// What the panel's charts share: each chart is drawn with Chart.js from the rows of a table that shows the same
// numbers without scripts (one row per period, the figures in data-* attributes), and once drawn the table is folded
// into its <details>, one click away. A page's own script says which table, which canvas and which series:
//   HeraldCharts.fromTable({ table: "table[data-x]", canvas: "x-chart", row: "data-day", daily: true,
//                            datasets: function (series, color) { return [...]; } });
// series("data-sent") reads a column of numbers; color("--primary", "#2453c7") reads the stylesheet's colour.
(function () {
  "use strict";

  function fromTable(spec) {
    var table = document.querySelector(spec.table);
    var canvas = document.getElementById(spec.canvas);
    if (!table || !canvas || typeof window.Chart === "undefined") return;
    var rows = Array.prototype.slice.call(table.querySelectorAll("tbody tr[" + spec.row + "]"));
    var style = getComputedStyle(document.documentElement);
    function color(name, fallback) { return style.getPropertyValue(name).trim() || fallback; }
    function series(attribute) { return rows.map(function (r) { return Number(r.getAttribute(attribute)); }); }
    var daily = typeof spec.daily === "function" ? spec.daily(table) : spec.daily;
    var labels = rows.map(function (r) {
      var value = r.getAttribute(spec.row);
      // A day (2026-01-31) is a UTC date; anything longer is an instant.
      var t = new Date(value.length === 10 ? value + "T00:00:00Z" : value);
      return daily
        ? t.toLocaleDateString("en-GB", { day: "numeric", month: "short", timeZone: "UTC" })
        : t.toLocaleString("en-GB", { day: "numeric", month: "short", hour: "2-digit", minute: "2-digit", timeZone: "UTC" });
    });

    canvas.parentElement.hidden = false;
    new window.Chart(canvas, {
      type: "bar",
      data: { labels: labels, datasets: spec.datasets(series, color) },
      options: {
        maintainAspectRatio: false,
        animation: false,
        scales: {
          x: { ticks: { autoSkip: true, maxRotation: 0 } },
          y: { beginAtZero: true, ticks: { precision: 0 } }
        },
        plugins: { legend: { position: "bottom" } }
      }
    });
    canvas.setAttribute("data-drawn", "true");
    var details = table.closest("details");
    if (details) details.open = false;
  }

  // Runs draw once the page is parsed, after loading Chart.js from `chartJs` (a URL) when no script of the page has.
  function whenReady(draw, chartJs) {
    function start() {
      if (typeof window.Chart !== "undefined" || !chartJs) { draw(); return; }
      var script = document.createElement("script");
      script.src = chartJs;
      script.onload = draw;
      document.head.appendChild(script);
    }
    if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
    else start();
  }

  window.HeraldCharts = { fromTable: fromTable, whenReady: whenReady };
})();
