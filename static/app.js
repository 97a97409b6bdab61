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

document.addEventListener("keydown", function (event) {
  if (event.key !== "Escape") return;
  var form = event.target.closest && event.target.closest("form.cell-edit");
  var cancel = form && form.querySelector(".cell-cancel");
  if (cancel) {
    event.preventDefault();
    cancel.click();
  }
});

document.addEventListener("htmx:afterSwap", function () {
  var input = document.querySelector("form.cell-edit input[name=value]");
  if (input && document.activeElement !== input) {
    input.focus();
    input.select();
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
