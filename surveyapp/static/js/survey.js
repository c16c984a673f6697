/* Progressive enhancement for survey pages: show and hide conditional questions as the
   respondent answers, and focus the error summary. Everything works without this file;
   the server applies the same conditions. */
(function () {
  "use strict";
  var form = document.querySelector("form.survey-form[data-answers]");
  var summary = document.getElementById("error-summary");
  if (summary) { summary.focus(); }
  // A form whose work takes a while (a participant import) says so once it is sent; without
  // this file the browser's own loading indicator does.
  document.querySelectorAll("form[data-busy-status]").forEach(function (busy) {
    var status = document.getElementById(busy.getAttribute("data-busy-status"));
    if (!status) { return; }
    busy.addEventListener("submit", function () { status.hidden = false; });
    window.addEventListener("pageshow", function (e) { if (e.persisted) { status.hidden = true; } });
  });
  if (!form) { return; }
  var stored = {};
  try { stored = JSON.parse(form.getAttribute("data-answers") || "{}"); } catch (e) { stored = {}; }

  function pageValue(id) {
    var wrap = form.querySelector('[data-question="' + id + '"]');
    if (!wrap) { return undefined; }            // not on this page: use the stored answer
    if (wrap.hidden) { return null; }           // hidden answers do not count
    var inputs = wrap.querySelectorAll('[name="' + id + '"]');
    if (!inputs.length) { return null; }
    var first = inputs[0];
    if (first.type === "checkbox") {
      var list = [];
      inputs.forEach(function (i) { if (i.checked) { list.push(i.value); } });
      return list.length ? list : null;
    }
    if (first.type === "radio") {
      var chosen = null;
      inputs.forEach(function (i) { if (i.checked) { chosen = i.value; } });
      return chosen === "na" ? null : chosen;
    }
    var v = first.value.trim();
    return v === "" ? null : v;
  }

  function value(id) {
    var v = pageValue(id);
    return v === undefined ? (stored[id] === undefined ? null : stored[id]) : v;
  }

  function num(x) { return typeof x === "number" ? x : parseFloat(String(x).replace(",", ".")); }
  function same(a, b) { return String(a) === String(b); }

  function test(c) {
    if (c.all) { return c.all.every(test); }
    if (c.any) { return c.any.some(test); }
    if (c.not) { return !test(c.not); }
    var v = value(c.question);
    if ("answered" in c) { return (v !== null && !(Array.isArray(v) && !v.length)) === c.answered; }
    if (v === null) { return false; }
    if ("equals" in c) { return same(v, c.equals); }
    if ("not_equals" in c) { return !same(v, c.not_equals); }
    if ("in" in c) { return c["in"].some(function (x) { return same(v, x); }); }
    if ("includes" in c) { return [].concat(v).some(function (x) { return same(x, c.includes); }); }
    var n = num(v);
    if (isNaN(n)) { return false; }
    if ("gte" in c) { return n >= c.gte; }
    if ("lte" in c) { return n <= c.lte; }
    if ("gt" in c) { return n > c.gt; }
    if ("lt" in c) { return n < c.lt; }
    return false;
  }

  function update() {
    var shown = [];
    form.querySelectorAll("[data-question]").forEach(function (wrap) {
      var cond = wrap.getAttribute("data-show-if");
      if (cond) { wrap.hidden = !test(JSON.parse(cond)); }
      if (!wrap.hidden) { shown.push(wrap.getAttribute("data-question")); }
    });
    var field = form.querySelector('input[name="_shown"]');
    if (field) { field.value = shown.join(" "); }
  }

  form.addEventListener("change", update);
  form.addEventListener("input", update);
  update();
})();
