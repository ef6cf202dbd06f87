// The Leads list: row selection with its bulk bar, and keyboard shortcuts (press ? for help).
// No inline scripts anywhere (the CSP forbids them). Without this file the page still works:
// the bulk bar is simply always shown under the table.
(function () {
  "use strict";

  var current = -1; // the row the keyboard is on (j/k), -1 for none
  var returnFocus = null; // where focus goes back to when the help closes

  function rows() {
    return Array.prototype.slice.call(document.querySelectorAll("[data-lead-row]"));
  }

  function rowChecks() {
    return Array.prototype.slice.call(document.querySelectorAll("[data-row-check]"));
  }

  // Selection and the bulk bar ----------------------------------------------------------
  function refreshSelection() {
    var bar = document.querySelector("[data-bulk-bar]");
    var boxes = rowChecks();
    var selected = 0;
    boxes.forEach(function (box) {
      if (box.checked) selected += 1;
      var row = box.closest("tr");
      if (row) row.classList.toggle("is-selected", box.checked);
    });
    var all = document.querySelector("[data-check-all]");
    if (all) {
      all.checked = boxes.length > 0 && selected === boxes.length;
      all.indeterminate = selected > 0 && selected < boxes.length;
    }
    if (!bar) return;
    bar.classList.add("is-enhanced"); // from now on it shows only while rows are selected
    bar.classList.toggle("is-active", selected > 0);
    var count = bar.querySelector("[data-bulk-count]");
    if (count) count.textContent = count.getAttribute("data-pattern").replace("{n}", selected);
    var clear = bar.querySelector("[data-bulk-clear]");
    if (clear) clear.hidden = false;
  }

  document.addEventListener("change", function (event) {
    var target = event.target;
    if (target.matches("[data-check-all]")) {
      rowChecks().forEach(function (box) { box.checked = target.checked; });
      refreshSelection();
    } else if (target.matches("[data-row-check]")) {
      refreshSelection();
    }
  });

  document.addEventListener("click", function (event) {
    var target = event.target.closest ? event.target : event.target.parentElement;
    if (!target) return;
    if (target.closest("[data-bulk-clear]")) {
      rowChecks().forEach(function (box) { box.checked = false; });
      refreshSelection();
      return;
    }
    var confirmed = target.closest("[data-confirm]");
    if (confirmed && !window.confirm(confirmed.getAttribute("data-confirm"))) {
      event.preventDefault();
      return;
    }
    if (target.closest("[data-shortcuts-open]")) {
      toggleHelp(true);
      return;
    }
    var help = document.querySelector("[data-shortcut-help]");
    if (target.closest("[data-shortcut-help-close]") || (help && target === help)) {
      toggleHelp(false);
    }
  });

  // Enter in a bulk panel's field runs that panel's action (not the bar's first button).
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Enter" || !event.target.closest) return;
    var panel = event.target.closest("[data-bulk-bar] .menu-panel");
    if (!panel || event.target.tagName !== "INPUT") return;
    var button = panel.querySelector("button[type=submit]");
    if (button) {
      event.preventDefault();
      button.click();
    }
  });

  // Keyboard shortcuts --------------------------------------------------------------------
  function toggleHelp(force) {
    var help = document.querySelector("[data-shortcut-help]");
    if (!help) return;
    var open = typeof force === "boolean" ? force : !help.classList.contains("is-open");
    if (open === help.classList.contains("is-open")) return;
    help.classList.toggle("is-open", open);
    if (open) {
      returnFocus = document.activeElement;
      var close = help.querySelector("[data-shortcut-help-close]");
      if (close) close.focus();
    } else if (returnFocus && returnFocus.focus) {
      returnFocus.focus();
    }
  }

  function typing(target) {
    return Boolean(
      target && target.closest &&
      target.closest("input, textarea, select, [contenteditable]:not([contenteditable=false])")
    );
  }

  function move(delta) {
    var list = rows();
    if (!list.length) return;
    if (current < 0 || current >= list.length) {
      current = delta > 0 ? 0 : list.length - 1;
    } else {
      current = Math.min(list.length - 1, Math.max(0, current + delta));
    }
    list.forEach(function (row, index) { row.classList.toggle("is-current", index === current); });
    var link = list[current].querySelector("[data-lead-link]");
    if (link) link.focus({ preventScroll: true });
    list[current].scrollIntoView({ block: "nearest" });
  }

  function currentRow() {
    var list = rows();
    return current >= 0 && current < list.length ? list[current] : null;
  }

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey || event.defaultPrevented) return;
    var help = document.querySelector("[data-shortcut-help]");
    var helpOpen = Boolean(help && help.classList.contains("is-open"));
    if (helpOpen && event.key === "Escape") {
      toggleHelp(false);
      event.preventDefault();
      return;
    }
    if (typing(event.target)) return;
    if (helpOpen && event.key !== "?") return;
    var row = currentRow();
    switch (event.key) {
      case "?":
        toggleHelp();
        break;
      case "n": {
        var create = document.querySelector("[data-shortcut-new]");
        if (!create) return;
        window.location.href = create.href;
        break;
      }
      case "/": {
        var search = document.getElementById("lead-search");
        if (!search) return;
        search.focus();
        search.select();
        break;
      }
      case "j":
        move(1);
        break;
      case "k":
        move(-1);
        break;
      case "Enter":
        // A focused link or button does its own thing on Enter.
        if (!row || event.target.closest("a, button, summary")) return;
      // falls through
      case "o": {
        var link = row && row.querySelector("[data-lead-link]");
        if (!link) return;
        window.location.href = link.href;
        break;
      }
      case "x": {
        var box = row && row.querySelector("[data-row-check]");
        if (!box) return;
        box.checked = !box.checked;
        refreshSelection();
        break;
      }
      default:
        return;
    }
    event.preventDefault();
  });

  // After HTMX swaps the results (filters, paging), start afresh.
  document.addEventListener("htmx:afterSettle", function () {
    current = -1;
    refreshSelection();
  });

  document.querySelectorAll("[data-shortcuts-open]").forEach(function (button) {
    button.hidden = false;
  });
  refreshSelection();
})();
