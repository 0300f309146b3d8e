/* varrank report: sortable and filterable tables, no network, no dependencies.
   Every table with class "sortable" gets buttons in its column headers; every input with
   data-filter="<table id>" filters that table's body rows by text. */
(function () {
  "use strict";

  function cellValue(row, index) {
    var cell = row.cells[index];
    if (!cell) { return ""; }
    var raw = cell.getAttribute("data-sort");
    return raw === null ? cell.textContent.trim() : raw;
  }

  function compare(a, b) {
    var emptyA = a === "", emptyB = b === "";
    if (emptyA || emptyB) { return emptyA === emptyB ? 0 : (emptyA ? 1 : -1); }
    var x = Number(a), y = Number(b);
    if (!isNaN(x) && !isNaN(y)) { return x - y; }
    return a.localeCompare(b, undefined, {numeric: true, sensitivity: "base"});
  }

  function sortTable(table, index, button) {
    var th = button.parentNode;
    var ascending = th.getAttribute("aria-sort") !== "ascending";
    var headers = table.tHead.rows[0].cells;
    for (var i = 0; i < headers.length; i++) { headers[i].removeAttribute("aria-sort"); }
    th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows);
    rows.sort(function (r1, r2) {
      var c = compare(cellValue(r1, index), cellValue(r2, index));
      if (c === 0) { return Number(r1.getAttribute("data-order")) - Number(r2.getAttribute("data-order")); }
      return ascending ? c : -c;
    });
    rows.forEach(function (row) { body.appendChild(row); });
  }

  function makeSortable(table) {
    if (!table.tHead || !table.tBodies.length) { return; }
    Array.prototype.forEach.call(table.tBodies[0].rows, function (row, i) {
      row.setAttribute("data-order", String(i));
    });
    var headers = table.tHead.rows[0].cells;
    Array.prototype.forEach.call(headers, function (th, index) {
      if (th.classList.contains("nosort")) { return; }
      var button = document.createElement("button");
      button.type = "button";
      button.className = "sort";
      while (th.firstChild) { button.appendChild(th.firstChild); }
      th.appendChild(button);
      button.addEventListener("click", function () { sortTable(table, index, button); });
    });
  }

  function makeFilter(input) {
    var table = document.getElementById(input.getAttribute("data-filter"));
    var status = document.getElementById(input.getAttribute("data-filter") + "-count");
    if (!table) { return; }
    input.addEventListener("input", function () {
      var needle = input.value.trim().toLowerCase();
      var shown = 0, rows = table.tBodies[0].rows;
      for (var i = 0; i < rows.length; i++) {
        var match = !needle || rows[i].textContent.toLowerCase().indexOf(needle) !== -1;
        rows[i].hidden = !match;
        if (match) { shown++; }
      }
      if (status) { status.textContent = shown + " of " + rows.length + " rows shown"; }
    });
  }

  function openDetailsForPrint() {
    Array.prototype.forEach.call(document.querySelectorAll("details"), function (d) {
      d.setAttribute("open", "");
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    Array.prototype.forEach.call(document.querySelectorAll("table.sortable"), makeSortable);
    Array.prototype.forEach.call(document.querySelectorAll("input[data-filter]"), makeFilter);
    window.addEventListener("beforeprint", openDetailsForPrint);
    document.documentElement.classList.add("js");
  });
}());
