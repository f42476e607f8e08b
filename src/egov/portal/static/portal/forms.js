// Progressive enhancement for online forms: hide fields whose condition is not met. Without JavaScript every
// field stays visible with a note saying when to fill it, and the server ignores fields that do not apply.
(function () {
  "use strict";
  function currentValue(form, name) {
    var inputs = form.querySelectorAll('[name="' + name + '"]');
    var values = [];
    inputs.forEach(function (input) {
      if ((input.type === "radio" || input.type === "checkbox") && !input.checked) return;
      values.push(input.value);
    });
    return values;
  }
  function matches(rule, values) {
    var wanted = "equals" in rule ? [rule.equals] : rule["in"] || [];
    return wanted.some(function (expected) {
      if (expected === true) return values.indexOf("yes") !== -1;
      if (expected === false) return values.indexOf("no") !== -1;
      return values.indexOf(String(expected)) !== -1;
    });
  }
  function refresh(form) {
    form.querySelectorAll("[data-show-if]").forEach(function (wrapper) {
      var rule = JSON.parse(wrapper.getAttribute("data-show-if"));
      var shown = matches(rule, currentValue(form, rule.field));
      wrapper.hidden = !shown;
      wrapper.querySelectorAll(".help").forEach(function (help) {
        if (help.textContent.indexOf("Chỉ điền khi") === 0) help.hidden = true;
      });
    });
  }
  document.querySelectorAll("form.dossier-form").forEach(function (form) {
    form.addEventListener("change", function () { refresh(form); });
    refresh(form);
  });
})();
