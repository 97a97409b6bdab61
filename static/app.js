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

// ---------------------------------------------------------------------------
// Review keys (the review table and an applicant's detail page; the keys are
// listed in the page's "键盘操作" box). The current row is tr.current.
// Every action is a click on the row's own control ([data-key], the name),
// so the keys do nothing a mouse user cannot do, and nothing without JS.
(function () {
  var TYPING = "input:not([type=checkbox]):not([type=radio]), select, textarea, [contenteditable]";
  var byKey = false;          // the pending row swap was started by a key
  var restore = null;         // {row id, what had focus in it} across a swap

  function rows() { return Array.prototype.slice.call(document.querySelectorAll("tr[data-row]")); }
  function current() { return document.querySelector("tr[data-row].current"); }

  function setCurrent(row) {
    var old = current();
    if (old) old.classList.remove("current");
    if (!row) return;
    row.classList.add("current");
    row.scrollIntoView({block: "nearest"});
  }

  function move(step) {
    var all = rows(), row = current();
    if (!all.length) return;
    var i = row ? all.indexOf(row) + step : (step > 0 ? 0 : all.length - 1);
    setCurrent(all[Math.max(0, Math.min(all.length - 1, i))]);
  }

  function follow(rel) {
    var link = document.querySelector('a[rel="' + rel + '"]');
    if (link) link.click();
  }

  // r / x on the detail page: open that form's reasons and put focus in them.
  function press(scope, key) {
    var control = scope && scope.querySelector('[data-key="' + key + '"]');
    if (!control) return;
    if (control.tagName !== "FORM") { byKey = true; control.click(); return; }
    var details = control.querySelector("details");
    var text = control.querySelector("input[name=reason]");
    if (!text) { control.requestSubmit(); return; }
    if (details) details.open = true;
    text.focus();
  }

  var MOVES = {j: 1, k: 1, ArrowDown: 1, ArrowUp: 1};
  var onTable = {
    j: function () { move(1); }, ArrowDown: function () { move(1); },
    k: function () { move(-1); }, ArrowUp: function () { move(-1); },
    " ": function (row) { var box = row && row.querySelector("input[name=ids]"); if (box) box.click(); },
    Enter: function (row) { var link = row && row.querySelector("td a"); if (link) link.click(); },
    a: function (row) { press(row, "a"); }, r: function (row) { press(row, "r"); },
    x: function (row) { press(row, "x"); }
  };
  onTable.o = onTable.Enter;
  var onDetail = {
    j: function () { follow("next"); }, k: function () { follow("prev"); },
    a: function () { press(document, "a"); }, r: function () { press(document, "r"); },
    x: function () { press(document, "x"); }
  };

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey || event.defaultPrevented) return;
    var target = event.target;
    var inReasons = target.closest && target.closest("form.reason-form");
    if (inReasons) return reasonKeys(event, inReasons);
    if (target.closest && target.closest(TYPING)) return;
    var interactive = target.closest && target.closest("a, button, input, summary");
    if (interactive && (event.key === " " || event.key === "Enter")) return;
    if (event.key === "/" || event.key === "?") {
      var place = event.key === "/" ? document.querySelector("input[name=q]") : document.getElementById("keys");
      if (!place) return;
      event.preventDefault();
      if (place.tagName === "DETAILS") { place.open = !place.open; place.querySelector("summary").focus(); }
      else place.focus();
      return;
    }
    var table = rows().length > 0;
    var detail = document.querySelector('form[data-key], a[rel="next"], a[rel="prev"]');
    var handler = (table ? onTable : detail ? onDetail : {})[event.key];
    if (!handler || (table && !current() && !MOVES[event.key])) return;
    event.preventDefault();
    // Keys pressed while a row is being swapped act, in turn, once it is in.
    if (busy) queued.push(handler);
    else handler(current());
  });

  var busy = false, queued = [];
  document.addEventListener("htmx:beforeRequest", function (event) {
    if (event.target.closest && event.target.closest("tr[data-row]")) busy = true;
  });
  document.addEventListener("htmx:afterRequest", function (event) {
    if (!event.detail.successful) settled();
  });
  function settled() {
    busy = false;
    while (queued.length && !busy) queued.shift()(current());
  }

  // In a row's reason form: Enter sends (also from a preset), Esc cancels.
  function reasonKeys(event, form) {
    if (event.key !== "Escape" && event.key !== "Enter") return;
    byKey = form.dataset.byKey === "1";
    if (event.key === "Escape") {
      event.preventDefault();
      form.querySelector(".cancel").click();
    } else if (event.target.type === "checkbox") {
      event.preventDefault();
      form.requestSubmit();
    }
  }

  // Tab users: the row of the focused control is current.
  document.addEventListener("focusin", function (event) {
    var row = event.target.closest && event.target.closest("tr[data-row]");
    if (row && row !== current()) setCurrent(row);
  });

  // Remember what had focus in the row about to be swapped, by what it is.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var row = event.detail.target;
    if (!row.matches || !row.matches("tr[data-row]")) {
      queued = [];    // the answer is not a row (an error page): the keys wait no longer
      return settled();
    }
    var focused = document.activeElement, form = focused.closest && focused.closest("form.reason-form");
    restore = {id: row.id, post: event.detail.requestConfig.verb === "post", byKey: byKey,
               was: form ? form.dataset.opener : row.contains(focused) ? describe(focused) : null};
    byKey = false;
  });

  function describe(el) {
    return el.dataset.key ? '[data-key="' + el.dataset.key + '"]'
      : el.name ? el.tagName.toLowerCase() + '[name="' + el.name + '"]' : null;
  }

  // After the row's settle, which gives it its own attributes back (the
  // counts swapped out of band settle on their own).
  document.addEventListener("htmx:afterSettle", function (event) {
    if (!event.target.matches || !event.target.matches("tr[data-row]")) return;
    afterRowSwap();
    settled();
  });
  function afterRowSwap() {
    if (!restore) return;
    var was = restore, row = document.getElementById(was.id);
    restore = null;
    if (!row) return;
    var form = row.querySelector("form.reason-form");
    if (form) {
      // Sending or cancelling it later goes on the way it was opened.
      form.dataset.byKey = was.byKey ? "1" : "";
      form.dataset.opener = was.was || "";
      setCurrent(row);
      form.querySelector("input[name=reason]").focus();
      form.scrollIntoView({block: "nearest"});
    } else if (was.byKey) {
      // Done: on to the next row; refused (the row says why): stay.
      var done = was.post && !row.querySelector(".row-error");
      setCurrent(done ? (row.nextElementSibling || row) : row);
    } else {
      setCurrent(row);
      var again = was.was && row.querySelector(was.was);
      (again || row.querySelector("td.ops button, td.ops a") || row.querySelector("input[name=ids]")).focus();
    }
  }

  // 评审表: a mouse choice saves at once; arrow keys only move the choice,
  // which is saved on Enter or on leaving the box.
  var stepped = null;
  document.addEventListener("keydown", function (event) {
    var select = event.target.closest && event.target.closest("form.copies select");
    if (!select) return;
    if (event.key === "Enter") { event.preventDefault(); save(select); }
    else stepped = select;
  }, true);
  document.addEventListener("pointerdown", function () { stepped = null; });
  document.addEventListener("change", function (event) {
    var select = event.target.closest && event.target.closest("form.copies select");
    if (!select) return;
    if (stepped === select) select.dataset.dirty = "1";
    else save(select);
  });
  document.addEventListener("focusout", function (event) {
    var select = event.target.closest && event.target.closest("form.copies select");
    if (select && select.dataset.dirty) save(select);
  });
  function save(select) {
    delete select.dataset.dirty;
    stepped = null;
    htmx.trigger(select.form, "save");
  }
})();
