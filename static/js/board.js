/* The pipeline board: drag a card onto another column to move it. Dropping sets the card's
   own stage select and submits its form, so a drop goes through exactly the same POST as the
   keyboard and no-JS path (htmx sends it and swaps the board back). No inline script (CSP). */
(function () {
  "use strict";
  var dragged = null;

  function column(target) {
    return target && target.closest ? target.closest("[data-stage]") : null;
  }
  function clearTargets() {
    document.querySelectorAll(".board-col.is-drop-target").forEach(function (col) {
      col.classList.remove("is-drop-target");
    });
  }

  document.addEventListener("dragstart", function (event) {
    var card = event.target.closest ? event.target.closest("[data-card]") : null;
    if (!card) return;
    dragged = card;
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", card.id);
    card.classList.add("is-dragging");
  });

  document.addEventListener("dragend", function () {
    if (dragged) dragged.classList.remove("is-dragging");
    dragged = null;
    clearTargets();
  });

  document.addEventListener("dragover", function (event) {
    var col = column(event.target);
    if (!col || !dragged) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = "move";
    if (!col.classList.contains("is-drop-target")) {
      clearTargets();
      col.classList.add("is-drop-target");
    }
  });

  document.addEventListener("drop", function (event) {
    var col = column(event.target);
    if (!col || !dragged) return;
    event.preventDefault();
    clearTargets();
    var form = dragged.querySelector("[data-move-form]");
    var select = form ? form.querySelector("[data-move-stage]") : null;
    var stage = col.getAttribute("data-stage");
    if (!select || select.value === stage) return;
    select.value = stage;
    col.querySelector(".board-cards").appendChild(dragged);  // show it there while saving
    form.requestSubmit();
  });

  // When the board comes back asking why a card was lost, put the keyboard on that question.
  document.addEventListener("htmx:afterSettle", function () {
    var ask = document.querySelector(".board-lose select");
    if (ask && document.activeElement !== ask) ask.focus();
  });
})();
