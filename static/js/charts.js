// Draws every chart of the page from its JSON data block (salesopt.core.charts.render): pages
// carry no inline script, so the Content-Security-Policy can forbid it. plotly.js (4.8 MB) is
// fetched only by pages that hold a chart, from the URL the base template gives this script
// (hashed, compressed and cached for good in production). Charts are drawn when the page loads
// and whenever htmx swaps new content in.
//
// plotly.js lays a funnel out at its default width when the chart is drawn before its card has
// its final size, and does not redo it by itself: the bars then overflow the card. Resizing every
// chart once the page, or an htmx swap, has settled redraws it at its card's width.
// (Selected by `.plotly-graph-div`: htmx's settle step strips plotly's `.js-plotly-plot`.)
(function () {
  var PLOTLY_URL = document.currentScript && document.currentScript.getAttribute("data-plotly");
  var BLOCKS = 'script[type="application/json"][data-plotly-for]';
  var waiting = [];
  var loading = false;

  function withPlotly(then) {
    if (window.Plotly) {
      then();
      return;
    }
    waiting.push(then);
    if (loading || !PLOTLY_URL) {
      return;
    }
    loading = true;
    var script = document.createElement("script");
    script.src = PLOTLY_URL;
    script.onload = function () {
      waiting.splice(0).forEach(function (run) {
        run();
      });
    };
    document.head.appendChild(script);
  }

  function drawCharts(root) {
    if (!root.querySelectorAll || !root.querySelectorAll(BLOCKS).length) {
      return;
    }
    withPlotly(function () {
      root.querySelectorAll(BLOCKS).forEach(function (block) {
        var chart = document.getElementById(block.getAttribute("data-plotly-for"));
        if (!chart || chart.salesoptDrawn) {
          return;
        }
        var spec = JSON.parse(block.textContent);
        chart.salesoptDrawn = true;
        window.Plotly.newPlot(chart, spec[0], spec[1], spec[2]).then(function () {
          window.Plotly.Plots.resize(chart);
        });
      });
    });
  }

  function resizeCharts(root) {
    if (!window.Plotly || !root.querySelectorAll) {
      return;
    }
    root.querySelectorAll(".plotly-graph-div").forEach(function (chart) {
      if (chart._fullLayout) {
        window.Plotly.Plots.resize(chart);
      }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    drawCharts(document);
  });
  document.addEventListener("htmx:load", function (event) {
    drawCharts(event.target);
  });
  window.addEventListener("load", function () {
    resizeCharts(document);
  });
  document.addEventListener("htmx:afterSettle", function (event) {
    resizeCharts(event.target);
  });
})();
