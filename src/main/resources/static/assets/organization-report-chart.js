// The organization report's chart on the overview, from its daily table's rows (data-day, data-sent, data-delivered,
// data-bounced, data-complaints, data-opens, data-clicks). The drawing is table-chart.js's. Chart.js is on the page
// once: the audience section's copy when it is drawn, or loaded from the URL in this script's data-chart-js.
(function () {
  "use strict";
  var self = document.currentScript;
  HeraldCharts.whenReady(function () {
    HeraldCharts.fromTable({ table: "table[data-report-table]", canvas: "report-chart", row: "data-day", daily: true,
      datasets: function (series, color) {
        function line(label, attribute, colour, dashed) {
          return { type: "line", label: label, data: series(attribute), borderColor: colour, backgroundColor: colour,
            borderDash: dashed ? [4, 3] : [], pointRadius: 2, tension: 0 };
        }
        return [
          { label: "Sent", data: series("data-sent"), backgroundColor: color("--muted", "#5b6474") },
          { label: "Delivered", data: series("data-delivered"), backgroundColor: color("--success", "#1e7b34") },
          { label: "Bounced", data: series("data-bounced"), backgroundColor: color("--danger", "#b42318") },
          line("Complaints", "data-complaints", "#6b4e00", false),
          line("Opens", "data-opens", color("--primary", "#2453c7"), false),
          line("Clicks", "data-clicks", "#7a3fb0", true)
        ];
      } });
  }, self && self.getAttribute("data-chart-js"));
})();
