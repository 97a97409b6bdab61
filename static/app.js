// Every htmx request carries the CSRF token from the page's <meta>.
document.addEventListener("htmx:configRequest", function (event) {
  var meta = document.querySelector('meta[name="csrf-token"]');
  if (meta) event.detail.headers["X-CSRFToken"] = meta.content;
});

// An error page (file too large, page expired…) answers an htmx request
// with HX-Retarget: show it instead of silently doing nothing.
document.addEventListener("htmx:beforeSwap", function (event) {
  var xhr = event.detail.xhr;
  if (xhr.status >= 400 && xhr.getResponseHeader("HX-Retarget")) {
    event.detail.shouldSwap = true;
    event.detail.isError = false;
  }
});

// Correcting a cell of an upload preview: a click anywhere in a cell that
// can be corrected opens its input; Esc in the input cancels.
document.addEventListener("click", function (event) {
  var cell = event.target.closest("td.fixable");
  if (!cell || event.target.closest("a, button, input, form")) return;
  var link = cell.querySelector("a.cell-fix");
  if (link) link.click();
});

// Esc in the correction cancels it; Enter in its dropdown saves it, as
// Enter in its text box does.
document.addEventListener("keydown", function (event) {
  var form = event.target.closest && event.target.closest("form.cell-edit");
  if (!form) return;
  if (event.key === "Escape") {
    event.preventDefault();
    form.querySelector(".cell-cancel").click();
  } else if (event.key === "Enter" && event.target.tagName === "SELECT") {
    event.preventDefault();
    form.requestSubmit();
  }
});

// After a correction is saved or cancelled, focus goes back to its cell
// (the row is swapped whole, so the cell is found again by its place).
var correctedCell = null;

document.addEventListener("htmx:beforeRequest", function (event) {
  var cell = event.target.closest("form.cell-edit") && event.target.closest("td");
  correctedCell = cell ? {row: cell.parentElement.id, index: cell.cellIndex} : null;
});

document.addEventListener("htmx:afterSwap", function () {
  var field = document.querySelector("form.cell-edit [name=value]");
  if (field) {
    if (document.activeElement !== field) {
      field.focus();
      if (field.select) field.select();
    }
  } else if (correctedCell) {
    var row = document.getElementById(correctedCell.row);
    if (row && row.cells[correctedCell.index]) focusCell(row.cells[correctedCell.index]);
    correctedCell = null;
  }
});

// A preview cell gets the focus (its 更正 link when it has one) and is
// scrolled into view beside the frozen columns.
function focusCell(cell) {
  var target = cell.querySelector("a.cell-fix") || cell;
  if (target === cell) cell.tabIndex = -1;
  target.focus({preventScroll: true});
  cell.scrollIntoView({block: "nearest", inline: "nearest"});
}

// The upload preview: j / k move to the next / previous cell with an error
// or a warning; "见：申报专业" focuses that cell. Never while typing.
function previewFaultKeys(event) {
  if ((event.key !== "j" && event.key !== "k") || event.ctrlKey || event.metaKey || event.altKey) return;
  if (event.target.closest && event.target.closest("input, select, textarea, [contenteditable]")) return;
  var cells = Array.prototype.slice.call(
    document.querySelectorAll("table.preview td.cell-error, table.preview td.cell-warning"));
  if (!cells.length) return;
  var current = document.activeElement && document.activeElement.closest("td");
  var index = cells.indexOf(current);
  var next = event.key === "j" ? index + 1 : (index < 0 ? cells.length : index) - 1;
  if (next < 0 || next >= cells.length) return;
  event.preventDefault();
  focusCell(cells[next]);
}

document.addEventListener("keydown", previewFaultKeys);

document.addEventListener("click", function (event) {
  var link = event.target.closest("a.see-cell");
  var cell = link && document.getElementById(link.hash.slice(1));
  if (cell) {
    event.preventDefault();
    focusCell(cell);
  }
});

// [data-copy="#id"] copies that field's text; [data-print] prints the page.
// The intranet serves plain http, where navigator.clipboard is missing, so
// the text is selected and copied the old way.
document.addEventListener("click", function (event) {
  var copy = event.target.closest("[data-copy]");
  if (copy) {
    var field = document.querySelector(copy.dataset.copy);
    field.select();
    document.execCommand("copy");
    copy.textContent = "已复制";
  }
  if (event.target.closest("[data-print]")) window.print();
});
