/* Progressive enhancement for the triage table: a checkbox that selects every comment on
   the page, and shift-click on a row's checkbox to select (or clear) the rows between it
   and the one clicked before. Without this file each row is selected on its own. */
(function () {
  "use strict";
  var form = document.querySelector("form.triage-form[data-select-all]");
  if (!form) { return; }
  var boxes = Array.prototype.slice.call(form.querySelectorAll('input[type="checkbox"][name="item"]'));
  var head = form.querySelector("thead th");
  if (!boxes.length || !head) { return; }

  var all = document.createElement("input");
  all.type = "checkbox";
  all.id = "pick-all";
  var label = document.createElement("label");
  label.htmlFor = all.id;
  label.className = "visually-hidden";
  label.textContent = form.getAttribute("data-select-all");
  head.appendChild(document.createTextNode(" "));
  head.appendChild(all);
  head.appendChild(label);

  function showState() {
    var checked = boxes.filter(function (b) { return b.checked; }).length;
    all.checked = checked === boxes.length;
    all.indeterminate = checked > 0 && checked < boxes.length;
  }

  all.addEventListener("change", function () {
    boxes.forEach(function (b) { b.checked = all.checked; });
    showState();
  });

  var last = null;
  boxes.forEach(function (box, index) {
    box.addEventListener("click", function (event) {
      if (event.shiftKey && last !== null && last !== index) {
        var from = Math.min(last, index), to = Math.max(last, index);
        for (var i = from; i <= to; i++) { boxes[i].checked = box.checked; }
      }
      last = index;
      showState();
    });
  });
  showState();
}());
