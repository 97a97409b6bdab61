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
