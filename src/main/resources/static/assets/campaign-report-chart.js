// A campaign report's timeline, from the timeline table's rows (data-start, data-delivered, data-bounces, data-opens,
// data-clicks; hourly or daily as the table's data-unit says). Deliveries and bounces are bars, people's opens and
// clicks lines. The drawing is table-chart.js's.
(function () {
  "use strict";
  HeraldCharts.whenReady(function () {
    HeraldCharts.fromTable({ table: "table[data-campaign-timeline]", canvas: "campaign-report-chart", row: "data-start",
      daily: function (table) { return table.getAttribute("data-unit") === "day"; },
      datasets: function (series, color) {
        return [
          { type: "bar", label: "Delivered", data: series("data-delivered"), backgroundColor: color("--primary", "#2453c7") },
          { type: "bar", label: "Bounces", data: series("data-bounces"), backgroundColor: color("--danger", "#b42318") },
          { type: "line", label: "Opens", data: series("data-opens"), borderColor: color("--success", "#1a7f37"), tension: 0.2 },
          { type: "line", label: "Clicks", data: series("data-clicks"), borderColor: color("--warning", "#9a6700"), tension: 0.2 }
        ];
      } });
  });
})();
