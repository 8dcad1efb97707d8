// plotly.js lays a funnel out at its default width when the chart is drawn before its card has
// its final size, and does not redo it by itself: the bars then overflow the card. Resizing every
// chart once the page, or an htmx swap, has settled redraws it at its card's width.
// (Selected by `.plotly-graph-div`: htmx's settle step strips plotly's `.js-plotly-plot`.)
(function () {
  function resizeCharts(root) {
    if (!window.Plotly) {
      return;
    }
    root.querySelectorAll(".plotly-graph-div").forEach(function (chart) {
      if (chart._fullLayout) {
        window.Plotly.Plots.resize(chart);
      }
    });
  }
  window.addEventListener("load", function () {
    resizeCharts(document);
  });
  document.addEventListener("htmx:afterSettle", function (event) {
    resizeCharts(event.target);
  });
})();
