/* The dashboard's charts (Apache ECharts, vendored): data from the page's json_script, no inline script.
   Each bar links to the list behind it (the same links as the tables beside the charts). */
(function () {
  "use strict";
  function ready(fn) {
    if (document.readyState !== "loading") { fn(); } else { document.addEventListener("DOMContentLoaded", fn); }
  }
  function bars(el, items, opts) {
    var chart = echarts.init(el, null, { renderer: "svg" });
    var horizontal = opts && opts.horizontal;
    var labels = items.map(function (i) { return i.label; });
    var values = items.map(function (i) { return i.value; });
    var category = { type: "category", data: labels, axisLabel: { interval: 0, rotate: horizontal ? 0 : 35, fontSize: 11 } };
    var value = { type: "value", minInterval: 1 };
    if (horizontal) { category.inverse = true; }
    chart.setOption({
      animation: false,
      grid: { left: horizontal ? 8 : 36, right: 24, top: 12, bottom: 8, containLabel: true },
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      xAxis: horizontal ? value : category,
      yAxis: horizontal ? category : value,
      series: [{ type: "bar", data: values, itemStyle: { color: (opts && opts.color) || "#2f6db5" },
                 label: { show: true, position: horizontal ? "right" : "top", fontSize: 11 }, cursor: "pointer" }]
    });
    chart.on("click", function (params) {
      var item = items[params.dataIndex];
      if (item && item.url) { window.location.assign(item.url); }
    });
    // Redrawn whenever its box changes size (a window resized, a column reflowed).
    if (window.ResizeObserver) {
      new ResizeObserver(function () { chart.resize(); }).observe(el);
    } else {
      window.addEventListener("resize", function () { chart.resize(); });
    }
    return chart;
  }
  ready(function () {
    var node = document.getElementById("dashboard-data");
    if (!node || typeof echarts === "undefined") { return; }
    var data = JSON.parse(node.textContent);
    document.querySelectorAll(".pdm-chart").forEach(function (el) {
      var name = el.getAttribute("data-chart");
      if (name === "projects") {
        var machine = data.projects[Number(el.getAttribute("data-index"))];
        if (machine) { bars(el, machine.states, { horizontal: true, color: "#4fa3a5" }); }
      } else if (name === "pipeline") {
        bars(el, data.pipeline, { color: "#e3a33b" });
      } else if (name === "reuse") {
        bars(el, data.reuse, { horizontal: true, color: "#7a5ea8" });
      } else if (name === "execution") {
        bars(el, data.execution, { horizontal: true, color: "#2f6db5" });
      } else if (name === "savings_reason" || name === "savings_year") {
        bars(el, data[name], { horizontal: name === "savings_reason", color: "#6c8a3c" });
      } else if (data[name]) {
        bars(el, data[name], { horizontal: name === "by_city" });
      }
    });
  });
})();
