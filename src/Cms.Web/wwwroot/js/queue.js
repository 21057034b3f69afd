// The queue page's select-all for the bulk form, as progressive enhancement: without JavaScript
// the box stays hidden and each row is ticked on its own. Loaded as a file (the CSP allows no
// inline script).
(function () {
  "use strict";
  var all = document.getElementById("select-all");
  if (!all) { return; }
  var count = document.getElementById("selected-count");
  function boxes() { return Array.prototype.slice.call(document.querySelectorAll('#queue input[name="Bulk.Ids"]')); }

  function sync() {
    var list = boxes();
    var ticked = list.filter(function (b) { return b.checked; }).length;
    all.checked = ticked > 0 && ticked === list.length;
    all.indeterminate = ticked > 0 && ticked < list.length;
    if (count) { count.textContent = ticked === 0 ? "" : ticked + " of " + list.length + " on this page selected"; }
  }

  all.hidden = false;
  all.addEventListener("change", function () {
    var on = all.checked;
    boxes().forEach(function (b) { b.checked = on; });
    sync();
  });
  document.addEventListener("change", function (e) {
    if (e.target && e.target.name === "Bulk.Ids") { sync(); }
  });
  // The browser may restore ticks on back/forward navigation.
  window.addEventListener("pageshow", sync);
  sync();
})();
