// A campaign report's timeline, drawn with Chart.js from the rows of the timeline table (data-start, data-delivered,
// data-bounces, data-opens, data-clicks), so the page holds its numbers once and shows them without scripts too.
// Deliveries and bounces are bars, people's opens and clicks lines. Once drawn, the table is folded into its <details>.
(function () {
  "use strict";

  function draw() {
    var table = document.querySelector("table[data-campaign-timeline]");
    var canvas = document.getElementById("campaign-report-chart");
    if (!table || !canvas || typeof window.Chart === "undefined") return;
    var daily = table.getAttribute("data-unit") === "day";
    var rows = Array.prototype.slice.call(table.querySelectorAll("tbody tr[data-start]"));
    var style = getComputedStyle(document.documentElement);
    function color(name, fallback) { return style.getPropertyValue(name).trim() || fallback; }
    var labels = rows.map(function (r) {
      var t = new Date(r.getAttribute("data-start"));
      return daily
        ? t.toLocaleDateString("en-GB", { day: "numeric", month: "short", timeZone: "UTC" })
        : t.toLocaleString("en-GB", { day: "numeric", month: "short", hour: "2-digit", minute: "2-digit", timeZone: "UTC" });
    });
    function series(attribute) { return rows.map(function (r) { return Number(r.getAttribute(attribute)); }); }

    canvas.parentElement.hidden = false;
    new window.Chart(canvas, {
      data: {
        labels: labels,
        datasets: [
          { type: "bar", label: "Delivered", data: series("data-delivered"), backgroundColor: color("--primary", "#2453c7") },
          { type: "bar", label: "Bounces", data: series("data-bounces"), backgroundColor: color("--danger", "#b42318") },
          { type: "line", label: "Opens", data: series("data-opens"), borderColor: color("--success", "#1a7f37"), tension: 0.2 },
          { type: "line", label: "Clicks", data: series("data-clicks"), borderColor: color("--warning", "#9a6700"), tension: 0.2 }
        ]
      },
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

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", draw);
  else draw();
})();
