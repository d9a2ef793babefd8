// The organization report's chart on the overview, drawn with Chart.js from the rows of its daily table (data-day,
// data-sent, data-delivered, data-bounced, data-complaints, data-opens, data-clicks), so the page holds its numbers once
// and shows them without scripts too. Once the chart is drawn the table is folded into its <details>.
(function () {
  "use strict";

  function draw() {
    var table = document.querySelector("table[data-report-table]");
    var canvas = document.getElementById("report-chart");
    if (!table || !canvas || typeof window.Chart === "undefined") return;
    var rows = Array.prototype.slice.call(table.querySelectorAll("tbody tr[data-day]"));
    var style = getComputedStyle(document.documentElement);
    function color(name, fallback) { return style.getPropertyValue(name).trim() || fallback; }
    var labels = rows.map(function (r) {
      return new Date(r.getAttribute("data-day") + "T00:00:00Z")
        .toLocaleDateString("en-GB", { day: "numeric", month: "short", timeZone: "UTC" });
    });
    function series(attribute) { return rows.map(function (r) { return Number(r.getAttribute(attribute)); }); }
    function line(label, attribute, colour, dashed) {
      return { type: "line", label: label, data: series(attribute), borderColor: colour, backgroundColor: colour,
        borderDash: dashed ? [4, 3] : [], pointRadius: 2, tension: 0 };
    }

    canvas.parentElement.hidden = false;
    new window.Chart(canvas, {
      type: "bar",
      data: {
        labels: labels,
        datasets: [
          { label: "Sent", data: series("data-sent"), backgroundColor: color("--muted", "#5b6474") },
          { label: "Delivered", data: series("data-delivered"), backgroundColor: color("--success", "#1e7b34") },
          { label: "Bounced", data: series("data-bounced"), backgroundColor: color("--danger", "#b42318") },
          line("Complaints", "data-complaints", "#6b4e00", false),
          line("Opens", "data-opens", color("--primary", "#2453c7"), false),
          line("Clicks", "data-clicks", "#7a3fb0", true)
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

  // Chart.js is on the page once: the audience section's copy when it is drawn, or loaded here from the WebJar.
  var self = document.currentScript;
  function start() {
    if (typeof window.Chart !== "undefined" || !self || !self.getAttribute("data-chart-js")) { draw(); return; }
    var script = document.createElement("script");
    script.src = self.getAttribute("data-chart-js");
    script.onload = draw;
    document.head.appendChild(script);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
