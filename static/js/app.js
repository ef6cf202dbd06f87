// Small behaviours that need no framework. No inline scripts anywhere (the CSP forbids them).
(function () {
  "use strict";
  // Close an open <details> menu when clicking elsewhere or pressing Escape.
  document.addEventListener("click", function (event) {
    document.querySelectorAll("details.menu[open]").forEach(function (menu) {
      if (!menu.contains(event.target)) menu.removeAttribute("open");
    });
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape") {
      document.querySelectorAll("details.menu[open]").forEach(function (m) { m.removeAttribute("open"); });
    }
  });
})();

// On a phone the navigation is one row that scrolls sideways: bring the current section into view.
document.addEventListener("DOMContentLoaded", function () {
  var current = document.querySelector(".nav [aria-current='page']");
  var nav = current && current.parentElement;
  if (nav && nav.scrollWidth > nav.clientWidth) {
    var left = current.getBoundingClientRect().left - nav.getBoundingClientRect().left;
    nav.scrollLeft += left - (nav.clientWidth - current.offsetWidth) / 2;
  }
});

// The bell keeps itself current without a reload: every data-poll-seconds (15) while the tab is
// visible it asks the server (the bell's own hx-get, fired by the "bell-poll" event), and at once
// when the tab comes back after a while. The server answers 204 when nothing changed. A signed-out
// tab gets a 403 and stops asking. (hx-trigger="every 15s [visible]" would need allowEval.)
(function () {
  "use strict";
  var lastPoll = Date.now();
  var stopped = false;

  function bell() {
    return document.getElementById("notification-bell");
  }

  function intervalMs() {
    var element = bell();
    var seconds = element ? parseInt(element.getAttribute("data-poll-seconds"), 10) : NaN;
    return (seconds > 0 ? seconds : 15) * 1000;
  }

  function poll() {
    var element = bell();
    if (stopped || !element || !window.htmx || document.visibilityState !== "visible") return;
    lastPoll = Date.now();
    window.htmx.trigger(element, "bell-poll");
  }

  function tick() {
    if (Date.now() - lastPoll >= intervalMs() - 250) poll();
  }

  document.addEventListener("DOMContentLoaded", function () {
    if (!bell()) return;
    window.setInterval(tick, 1000);
    document.addEventListener("visibilitychange", tick);
  });

  document.addEventListener("htmx:responseError", function (event) {
    var status = event.detail.xhr && event.detail.xhr.status;
    if (event.detail.elt && event.detail.elt.id === "notification-bell" && (status === 401 || status === 403)) {
      stopped = true;
    }
  });
})();

// Toasts (the bell's new notifications): each stays 8 s, longer while the pointer or focus is on
// it, and its × closes it at once. At most three are shown; the oldest goes first.
(function () {
  "use strict";
  var SHOWN_MS = 8000;
  var SHOWN_MAX = 3;

  function dismiss(toast) {
    if (!toast.parentNode || toast.classList.contains("is-leaving")) return;
    toast.classList.add("is-leaving");
    window.setTimeout(function () { if (toast.parentNode) toast.parentNode.removeChild(toast); }, 220);
  }

  function held(toast) {
    return toast.matches(":hover") || toast.contains(document.activeElement);
  }

  function time(toast) {
    toast.setAttribute("data-toast-timed", "");
    var wait = function () {
      if (held(toast)) {
        window.setTimeout(wait, 1500);
      } else {
        dismiss(toast);
      }
    };
    window.setTimeout(wait, SHOWN_MS);
  }

  function arrange() {
    var box = document.getElementById("bell-toasts");
    if (!box) return;
    var toasts = box.querySelectorAll("[data-toast]:not(.is-leaving)");
    for (var i = 0; i < toasts.length - SHOWN_MAX; i += 1) dismiss(toasts[i]);
    box.querySelectorAll("[data-toast]:not([data-toast-timed])").forEach(time);
  }

  document.addEventListener("htmx:oobAfterSwap", arrange);
  document.addEventListener("htmx:afterSettle", arrange);
  document.addEventListener("click", function (event) {
    var close = event.target.closest && event.target.closest("[data-toast-close]");
    if (close) dismiss(close.closest("[data-toast]"));
  });
})();
