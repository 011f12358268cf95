// The site menu on narrow screens (templates/base.html). The Menu button shows or
// hides the navigation and account links by flipping its aria-expanded, which the
// stylesheet reads. Loaded in <head> so the "js-menu" class is set before the header
// is drawn: without this script the button stays hidden and the menu is always shown.
(function () {
  "use strict";
  document.documentElement.classList.add("js-menu");

  document.addEventListener("DOMContentLoaded", function () {
    var button = document.querySelector(".menu-toggle");
    var menu = button && document.getElementById(button.getAttribute("aria-controls"));
    if (!menu) {
      return;
    }
    function isOpen() {
      return button.getAttribute("aria-expanded") === "true";
    }
    button.addEventListener("click", function () {
      button.setAttribute("aria-expanded", isOpen() ? "false" : "true");
    });
    // Escape closes the open menu and returns focus to its button.
    document.addEventListener("keydown", function (event) {
      var focus = document.activeElement;
      if (event.key === "Escape" && isOpen() && (focus === button || menu.contains(focus))) {
        button.setAttribute("aria-expanded", "false");
        button.focus();
      }
    });
  });
})();
