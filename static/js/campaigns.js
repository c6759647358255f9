// The campaign results chart (Apache ECharts, vendored): the rates of the called and control groups per measure,
// and below them the difference in return rate with its 95 % interval as a point with whiskers. Data come from the
// JSON <script id="campaign-chart-data"> the page writes beside the table.
(function () {
  "use strict";
  function draw() {
    var source = document.getElementById("campaign-chart-data");
    var bars = document.querySelector("[data-campaign-chart]");
    if (!window.echarts || !source || !bars) return;
    var data = JSON.parse(source.textContent);
    var charts = [];
    var rates = window.echarts.init(bars, null, { renderer: "svg" });
    rates.setOption({
      tooltip: { trigger: "axis", valueFormatter: function (v) { return v == null ? "—" : v + data.unit; } },
      legend: { top: 0 },
      grid: { left: 40, right: 10, top: 30, bottom: 30 },
      xAxis: { type: "category", data: data.measures },
      yAxis: { type: "value", min: 0, max: 100, axisLabel: { formatter: "{value}%" } },
      series: data.series.map(function (s) {
        return { name: s.name, type: "bar", data: s.values, label: { show: true, position: "top",
          formatter: function (p) { return p.value == null ? "" : p.value + "%"; } } };
      })
    });
    charts.push(rates);
    var box = document.querySelector("[data-campaign-difference]");
    var d = data.difference;
    if (box && d) {
      var diff = window.echarts.init(box, null, { renderer: "svg" });
      var span = Math.max(10, Math.ceil(Math.max(Math.abs(d.low), Math.abs(d.high)) / 5) * 5 + 5);
      diff.setOption({
        title: { text: d.label, textStyle: { fontSize: 12, fontWeight: "normal" }, left: 0, top: 0 },
        tooltip: { formatter: function () { return d.estimate + " pp (" + d.low + " … " + d.high + ")"; } },
        grid: { left: 40, right: 20, top: 30, bottom: 25 },
        xAxis: { type: "value", min: -span, max: span, axisLabel: { formatter: "{value}" } },
        yAxis: { type: "category", data: [""], axisTick: { show: false } },
        series: [{
          type: "custom", data: [[d.low, d.high, d.estimate]],
          renderItem: function (params, api) {
            var low = api.coord([api.value(0), 0]), high = api.coord([api.value(1), 0]);
            var mid = api.coord([api.value(2), 0]), zeroTop = api.coord([0, 0]);
            var style = { stroke: "#1f5fa8", lineWidth: 2 };
            return { type: "group", children: [
              { type: "line", shape: { x1: zeroTop[0], y1: low[1] - 18, x2: zeroTop[0], y2: low[1] + 18 },
                style: { stroke: "#999", lineDash: [4, 3] } },
              { type: "line", shape: { x1: low[0], y1: low[1], x2: high[0], y2: high[1] }, style: style },
              { type: "line", shape: { x1: low[0], y1: low[1] - 6, x2: low[0], y2: low[1] + 6 }, style: style },
              { type: "line", shape: { x1: high[0], y1: high[1] - 6, x2: high[0], y2: high[1] + 6 }, style: style },
              { type: "circle", shape: { cx: mid[0], cy: mid[1], r: 5 }, style: { fill: "#1f5fa8" } }
            ] };
          }
        }]
      });
      charts.push(diff);
    }
    window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
  }
  document.addEventListener("DOMContentLoaded", draw);
})();
