// The overview's growth chart, drawn with Chart.js from the rows of the growth table (data-day, data-new,
// data-unsubscribes), so the page holds its numbers once and shows them without scripts too. Once the chart is
// drawn the table is folded into its <details>; it stays one click away for anyone who wants the numbers.
(function () {
  "use strict";

  function draw() {
    var table = document.querySelector("table[data-growth-table]");
    var canvas = document.getElementById("growth-chart");
    if (!table || !canvas || typeof window.Chart === "undefined") return;
    var rows = Array.prototype.slice.call(table.querySelectorAll("tbody tr[data-day]"));
    var style = getComputedStyle(document.documentElement);
    function color(name, fallback) { return style.getPropertyValue(name).trim() || fallback; }
    var labels = rows.map(function (r) {
      return new Date(r.getAttribute("data-day") + "T00:00:00Z")
        .toLocaleDateString("en-GB", { day: "numeric", month: "short", timeZone: "UTC" });
    });
    function series(attribute) { return rows.map(function (r) { return Number(r.getAttribute(attribute)); }); }

    canvas.parentElement.hidden = false;
    new window.Chart(canvas, {
      type: "bar",
      data: {
        labels: labels,
        datasets: [
          { label: "New subscribers", data: series("data-new"), backgroundColor: color("--primary", "#2453c7") },
          { label: "Unsubscribes", data: series("data-unsubscribes"), backgroundColor: color("--danger", "#b42318") }
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
