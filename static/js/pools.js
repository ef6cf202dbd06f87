/* The assignment rule editor: operators that fit the chosen field, condition rows and OR
   groups, and the target fields that fit "person / team / pool". No inline script (CSP). */
(function () {
  "use strict";
  var form = document.querySelector("[data-rule-form]");
  if (!form) return;
  var opsByKind = JSON.parse(document.getElementById("ops-by-kind").textContent);

  function fitOperators(row) {
    var field = row.querySelector("[data-cond-field]");
    var op = row.querySelector("[data-cond-op]");
    var value = row.querySelector("[data-cond-value]");
    var chosen = field.options[field.selectedIndex];
    var kind = chosen && chosen.getAttribute("data-kind");
    var allowed = kind ? opsByKind[kind] : null;
    Array.prototype.forEach.call(op.options, function (option) {
      option.hidden = allowed ? allowed.indexOf(option.value) < 0 : false;
    });
    if (allowed && allowed.indexOf(op.value) < 0) op.value = allowed[0];
    value.hidden = op.value === "empty" || op.value === "not_empty";
  }

  function fitTargets() {
    var checked = form.querySelector("input[name=target_type]:checked");
    var type = checked ? checked.value : "";
    form.querySelectorAll("[data-target]").forEach(function (el) {
      el.hidden = el.getAttribute("data-target") !== type;
    });
  }

  form.addEventListener("change", function (event) {
    var row = event.target.closest("[data-cond-row]");
    if (row) fitOperators(row);
    if (event.target.name === "target_type") fitTargets();
  });
  form.addEventListener("click", function (event) {
    var remove = event.target.closest("[data-cond-remove]");
    if (remove) {
      remove.closest("[data-cond-row]").remove();
      return;
    }
    var add = event.target.closest("[data-cond-add-group]");
    if (add) {
      var groups = form.querySelector("[data-cond-groups]");
      var next = 0;
      groups.querySelectorAll("[data-cond-group]").forEach(function (g) {
        next = Math.max(next, Number(g.getAttribute("data-cond-group")) + 1);
      });
      var group = document.createElement("div");
      group.className = "cond-group";
      group.setAttribute("data-cond-group", String(next));
      var or = document.createElement("p");
      or.className = "cond-or";
      or.textContent = groups.getAttribute("data-or-label");
      var rows = document.createElement("div");
      rows.setAttribute("data-cond-rows", "");
      rows.appendChild(document.getElementById("cond-row-template").content.cloneNode(true));
      rows.querySelector("input[name=cond_group]").value = String(next);
      group.appendChild(or);
      group.appendChild(rows);
      var more = document.createElement("button");
      more.type = "button";
      more.className = "btn btn-quiet btn-small";
      more.textContent = groups.getAttribute("data-and-label");
      more.setAttribute("hx-get", add.getAttribute("data-row-url") + "?group=" + next);
      more.setAttribute("hx-target", "previous [data-cond-rows]");
      more.setAttribute("hx-swap", "beforeend");
      group.appendChild(more);
      groups.appendChild(group);
      if (window.htmx) window.htmx.process(group);
    }
  });
  document.body.addEventListener("htmx:afterSwap", function () {
    form.querySelectorAll("[data-cond-row]").forEach(fitOperators);
  });
  form.querySelectorAll("[data-cond-row]").forEach(fitOperators);
  fitTargets();
})();
