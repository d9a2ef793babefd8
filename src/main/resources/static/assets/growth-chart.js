// The overview's growth chart: new subscribers and unsubscribes per day, from the growth table's rows (data-day,
// data-new, data-unsubscribes). The drawing is table-chart.js's.
(function () {
  "use strict";
  HeraldCharts.whenReady(function () {
    HeraldCharts.fromTable({ table: "table[data-growth-table]", canvas: "growth-chart", row: "data-day", daily: true,
      datasets: function (series, color) {
        return [
          { label: "New subscribers", data: series("data-new"), backgroundColor: color("--primary", "#2453c7") },
          { label: "Unsubscribes", data: series("data-unsubscribes"), backgroundColor: color("--danger", "#b42318") }
        ];
      } });
  });
})();
