// The module form shows only the fieldsets of the chosen kind (each fieldset lists its
// kinds in data-kind). Hidden fieldsets are disabled too, so what another kind would
// use is not sent. Without this script every fieldset shows, its legend saying which
// kinds it is for, and the server checks each kind's fields either way.
(function () {
  "use strict";

  function showKind(form, kind) {
    form.querySelectorAll("[data-kind]").forEach(function (section) {
      var wanted = section.getAttribute("data-kind").split(" ").indexOf(kind) !== -1;
      section.hidden = !wanted;
      if (section.tagName === "FIELDSET") {
        section.disabled = !wanted;
      }
    });
  }

  document.querySelectorAll("select[data-module-kind]").forEach(function (select) {
    var form = select.form;
    if (!form) {
      return;
    }
    select.addEventListener("change", function () {
      showKind(form, select.value);
    });
    showKind(form, select.value);
  });
})();
