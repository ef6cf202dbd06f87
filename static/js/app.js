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
