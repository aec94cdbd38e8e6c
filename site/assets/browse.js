/* Browse page: filter and sort the table of all entries.
   The table is plain HTML and complete without this script; the script only hides rows
   and reorders them. Filters start from the address (?band=harmful&setting=pru) and are
   written back to it, so a filtered view can be shared or bookmarked. */
(function () {
  "use strict";

  function matches(row, key, value) {
    if (!value) return true;
    var data = row.getAttribute("data-" + key) || "";
    if (key === "evidence") {
      var best = parseInt(data, 10) || 0;
      return value === "0" ? best === 0 : best >= parseInt(value, 10);
    }
    return data.split(" ").indexOf(value) !== -1;
  }

  function sortKey(row, index, kind) {
    var cell = row.cells[index];
    var value = cell.getAttribute("data-value");
    if (value === null) value = cell.textContent;
    return kind === "number" ? parseFloat(value) || 0 : value.trim().toLowerCase();
  }

  function init() {
    var table = document.getElementById("ww-browse");
    var form = document.getElementById("ww-filters");
    if (!table || !form || table.getAttribute("data-ready")) return;
    table.setAttribute("data-ready", "1");
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows);
    var count = document.getElementById("ww-count");
    var selects = Array.prototype.slice.call(form.querySelectorAll("select[data-filter]"));
    var headers = Array.prototype.slice.call(table.tHead.rows[0].cells);

    var params = new URLSearchParams(window.location.search);
    selects.forEach(function (select) {
      var wanted = params.get(select.name);
      if (wanted && select.querySelector('option[value="' + CSS.escape(wanted) + '"]')) select.value = wanted;
    });

    function apply() {
      var active = selects.filter(function (s) { return s.value; });
      var shown = 0;
      rows.forEach(function (row) {
        var ok = active.every(function (s) { return matches(row, s.getAttribute("data-filter"), s.value); });
        row.hidden = !ok;
        if (ok) shown += 1;
      });
      count.textContent = shown + " of " + rows.length + " entries shown";
      var query = new URLSearchParams();
      active.forEach(function (s) { query.set(s.name, s.value); });
      var search = query.toString();
      try {
        window.history.replaceState(null, "", search ? "?" + search : window.location.pathname);
      } catch (e) { /* some browsers refuse this on file:// pages; filtering still works */ }
    }

    function sortBy(index, kind, th) {
      var ascending = th.getAttribute("aria-sort") !== "ascending";
      headers.forEach(function (h) { h.removeAttribute("aria-sort"); });
      th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
      var keyed = rows.map(function (row, n) { return [sortKey(row, index, kind), n, row]; });
      keyed.sort(function (a, b) {
        var order = a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0;
        return order ? (ascending ? order : -order) : a[1] - b[1];
      });
      var fragment = document.createDocumentFragment();
      keyed.forEach(function (item) { fragment.appendChild(item[2]); });
      body.appendChild(fragment);
    }

    headers.forEach(function (th, index) {
      var kind = th.getAttribute("data-sort");
      if (!kind) return;
      var button = document.createElement("button");
      button.type = "button";
      button.className = "ww-sort";
      button.textContent = th.textContent;
      th.textContent = "";
      th.appendChild(button);
      button.addEventListener("click", function () { sortBy(index, kind, th); });
    });

    form.addEventListener("change", apply);
    form.addEventListener("reset", function () { window.setTimeout(apply, 0); });
    form.addEventListener("submit", function (event) { event.preventDefault(); });
    form.hidden = false;
    apply();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
