// Canned replies in the composer.
// "/" (outside a text field) jumps to the picker, ready for a /shortcut.
// While the chosen template still misses values, every Send button of the
// reply form (id="reply-form") stays disabled; the server refuses it anyway.
(function () {
  "use strict";

  document.addEventListener("keydown", function (event) {
    if (event.key !== "/" || event.ctrlKey || event.metaKey || event.altKey) {
      return;
    }
    if (event.target.closest("input, textarea, select, [contenteditable]")) {
      return;
    }
    var picker = document.getElementById("template-picker-input");
    if (!picker) {
      return;
    }
    event.preventDefault();
    picker.focus();
    picker.value = "/";
  });

  document.addEventListener("template-preview", function (event) {
    var ready = Boolean(event.detail && event.detail.ready);
    var buttons = document.querySelectorAll(
      '#reply-form [type="submit"], [form="reply-form"][type="submit"]'
    );
    buttons.forEach(function (button) {
      button.disabled = !ready;
    });
  });
})();
