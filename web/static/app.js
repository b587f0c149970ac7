// govwatch review app: small progressive enhancements; every page works without this file.
"use strict";

document.addEventListener("DOMContentLoaded", function () {
  var form = document.getElementById("bulk-form");
  if (!form) return;
  var all = document.getElementById("select-all");
  var boxes = Array.prototype.slice.call(form.querySelectorAll("input[name=id]"));
  var count = document.getElementById("selected-count");
  var buttons = form.querySelectorAll("button.bulk");

  function refresh() {
    var n = boxes.filter(function (b) { return b.checked; }).length;
    if (count) count.textContent = String(n);
    buttons.forEach(function (b) { b.disabled = n === 0; });
    if (all) {
      all.checked = n > 0 && n === boxes.length;
      all.indeterminate = n > 0 && n < boxes.length;
    }
  }

  if (all) {
    all.addEventListener("change", function () {
      boxes.forEach(function (b) { b.checked = all.checked; });
      refresh();
    });
  }
  boxes.forEach(function (b) { b.addEventListener("change", refresh); });
  refresh();
});
