// Keyboard shortcuts on every signed-in page, and their help (templates/_shortcuts.html; "?"):
//   Ctrl/⌘+S  submits the form being filled in (or the page's one form), never the browser's Save
//   Ctrl/⌘+K  and "/" put the cursor in the page's search box, or go to the leads search
//   n         opens the new-lead form
//   Enter     opens the lead of the selected row in a list (j/k, x: static/js/leads.js)
// Single keys do nothing while one types in a field. This listener runs before the page's own
// (leads.js) and marks what it handled with preventDefault, which those skip.
// No inline scripts anywhere (the CSP forbids them).
(function () {
  "use strict";

  var SEARCH_HASH = "#search"; // the leads list opened by a search shortcut from another page
  var returnFocus = null; // where focus goes back to when the help closes

  function help() {
    return document.querySelector("[data-shortcut-help]");
  }

  function typing(target) {
    return Boolean(
      target && target.closest &&
      target.closest("input, textarea, select, [contenteditable]:not([contenteditable=false])")
    );
  }

  // Shown on the page: not display:none, not inside a closed <details> (whose content still has
  // boxes in Chrome, hidden by content-visibility).
  function visible(element) {
    if (element.closest("details:not([open])") && !element.closest("summary")) return false;
    if (element.checkVisibility) return element.checkVisibility();
    return element.getClientRects().length > 0;
  }

  function main() {
    return document.getElementById("main") || document.body;
  }

  // The help -----------------------------------------------------------------------------
  function isOpen() {
    var dialog = help();
    return Boolean(dialog && dialog.classList.contains("is-open"));
  }

  function toggleHelp(force) {
    var dialog = help();
    if (!dialog) return;
    var open = typeof force === "boolean" ? force : !isOpen();
    if (open === isOpen()) return;
    dialog.classList.toggle("is-open", open);
    if (open) {
      returnFocus = document.activeElement;
      document.querySelectorAll("details.menu[open]").forEach(function (m) { m.removeAttribute("open"); });
      var close = dialog.querySelector("[data-shortcut-help-close]");
      if (close) close.focus();
    } else if (returnFocus && returnFocus.focus && document.contains(returnFocus)) {
      returnFocus.focus();
    }
  }

  // Ctrl/⌘+S -----------------------------------------------------------------------------
  function posts(form) {
    return (form.getAttribute("method") || "get").toLowerCase() === "post" ||
      form.hasAttribute("hx-post");
  }

  function editable(form) {
    return Array.prototype.some.call(form.elements, function (field) {
      var type = (field.type || "").toLowerCase();
      return field.matches("textarea, select, input") &&
        ["hidden", "submit", "button", "reset", "image"].indexOf(type) < 0 && visible(field);
    });
  }

  // The form being filled in; else the page's form marked data-shortcut-save; else the page's
  // only visible form that sends something one typed. None when that is not clear.
  function formToSave() {
    var active = document.activeElement;
    var focused = active && (active.form || (active.closest && active.closest("form")));
    if (focused && posts(focused) && main().contains(focused)) return focused;
    var marked = main().querySelector("form[data-shortcut-save]");
    if (marked) return marked;
    var candidates = Array.prototype.filter.call(main().querySelectorAll("form"), function (form) {
      return posts(form) && visible(form) && editable(form);
    });
    return candidates.length === 1 ? candidates[0] : null;
  }

  function submitter(form) {
    var buttons = Array.prototype.filter.call(form.elements, function (field) {
      return field.type === "submit" && !field.disabled;
    });
    return buttons.filter(function (b) { return b.classList.contains("btn-primary"); })[0] || buttons[0];
  }

  function save() {
    var form = formToSave();
    if (!form) return;
    var button = submitter(form);
    if (form.requestSubmit) {
      form.requestSubmit(button || undefined);
    } else if (button) {
      button.click();
    } else {
      form.submit();
    }
  }

  // Search ---------------------------------------------------------------------------------
  function searchBox() {
    var boxes = Array.prototype.filter.call(
      main().querySelectorAll("[role=search] input[type=search], input[type=search]"),
      visible
    );
    return boxes[0] || null;
  }

  function search() {
    var box = searchBox();
    if (box) {
      box.focus();
      box.select();
      return;
    }
    var dialog = help();
    var url = dialog && dialog.getAttribute("data-search-url");
    if (url) window.location.href = url + SEARCH_HASH;
  }

  // Enter: the selected row ---------------------------------------------------------------
  // The row the focus is in (on its checkbox, say), else the one j/k is on, else the only one
  // ticked.
  function rowToOpen(target) {
    var row = target.closest && target.closest("[data-lead-row]");
    if (row) return row;
    row = document.querySelector("[data-lead-row].is-current");
    if (row) return row;
    var ticked = document.querySelectorAll("[data-lead-row].is-selected");
    return ticked.length === 1 ? ticked[0] : null;
  }

  function openRow(event) {
    var target = event.target;
    // A link, a button or a field does its own thing on Enter; a row's checkbox does not.
    if (target.closest && target.closest("a, button, summary, textarea, select")) return false;
    if (typing(target) && !target.matches("[data-row-check]")) return false;
    var row = rowToOpen(target);
    var link = row && row.querySelector("[data-lead-link]");
    if (!link) return false;
    window.location.href = link.href;
    return true;
  }

  // The keys -------------------------------------------------------------------------------
  document.addEventListener("keydown", function (event) {
    if (!help() || event.defaultPrevented || event.isComposing) return;
    var key = event.key || "";
    var command = (event.ctrlKey || event.metaKey) && !event.altKey && !event.shiftKey;
    if (command && key.toLowerCase() === "s") {
      event.preventDefault(); // never the browser's "Save page as"
      if (!event.repeat) save();
      return;
    }
    if (command && key.toLowerCase() === "k") {
      event.preventDefault();
      toggleHelp(false);
      search();
      return;
    }
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    if (isOpen()) {
      if (key === "Escape" || key === "?") {
        toggleHelp(false);
        event.preventDefault();
      }
      return;
    }
    if (key === "Enter") {
      if (openRow(event)) event.preventDefault();
      return;
    }
    if (typing(event.target)) return;
    switch (key) {
      case "?":
        toggleHelp(true);
        break;
      case "/":
        search();
        break;
      case "n":
      case "N": {
        var create = document.querySelector("[data-shortcut-new]");
        var url = create ? create.href : help().getAttribute("data-new-lead-url");
        if (!url) return;
        window.location.href = url;
        break;
      }
      default:
        return;
    }
    event.preventDefault();
  });

  document.addEventListener("click", function (event) {
    var target = event.target.closest ? event.target : event.target.parentElement;
    if (!target) return;
    if (target.closest("[data-shortcuts-open]")) {
      toggleHelp(true);
      return;
    }
    var dialog = help();
    if (target.closest("[data-shortcut-help-close]") || (dialog && target === dialog)) {
      toggleHelp(false);
    }
  });

  function start() {
    if (!help()) return;
    document.querySelectorAll("[data-shortcuts-open]").forEach(function (button) {
      button.hidden = false;
    });
    if (/Mac|iPhone|iPad/.test(navigator.platform || navigator.userAgent)) {
      document.querySelectorAll("[data-kbd-mod]").forEach(function (key) { key.textContent = "⌘"; });
    }
    if (window.location.hash === SEARCH_HASH) {
      var box = searchBox();
      if (box) box.focus();
      history.replaceState(history.state, "", window.location.pathname + window.location.search);
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
