/* cvrule report: filter decisions by outcome, filter tables by text, open every "why" for
   printing. Everything works without it; it loads nothing. */
(function () {
  "use strict";
  var toggles = document.querySelectorAll("input[data-outcome]");
  function applyOutcomes() {
    var shown = {};
    toggles.forEach(function (box) { shown[box.getAttribute("data-outcome")] = box.checked; });
    document.querySelectorAll("article.decision").forEach(function (article) {
      article.hidden = shown[article.getAttribute("data-outcome")] === false;
    });
    document.querySelectorAll("section.group").forEach(function (group) {
      group.hidden = group.querySelector("article.decision:not([hidden])") === null;
    });
  }
  toggles.forEach(function (box) { box.addEventListener("change", applyOutcomes); });

  document.querySelectorAll("input[data-filter]").forEach(function (input) {
    var table = document.getElementById(input.getAttribute("data-filter"));
    input.addEventListener("input", function () {
      var words = input.value.toLowerCase().split(/\s+/).filter(Boolean);
      table.querySelectorAll("tbody tr").forEach(function (row) {
        var text = row.textContent.toLowerCase();
        row.hidden = !words.every(function (w) { return text.indexOf(w) !== -1; });
      });
    });
  });

  var expand = document.getElementById("expand-all");
  if (expand) {
    expand.addEventListener("click", function () {
      var all = document.querySelectorAll("details.why");
      var open = Array.prototype.some.call(all, function (d) { return !d.open; });
      all.forEach(function (d) { d.open = open; });
      expand.textContent = open ? "Collapse all reasons" : "Expand all reasons";
    });
  }

  function openTarget() {
    var target = location.hash && document.getElementById(location.hash.slice(1));
    var details = target && target.querySelector && target.querySelector("details.why");
    if (details && target.matches("article.decision")) { details.open = true; }
  }
  window.addEventListener("hashchange", openTarget);
  openTarget();

  window.addEventListener("beforeprint", function () {
    document.querySelectorAll("details").forEach(function (d) { d.open = true; });
  });
})();
