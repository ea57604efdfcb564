// Review queue: j/k move, Enter opens, a approves (and sends), c opens the
// draft at "request changes". Draft page: a selection in the text becomes the
// passage a new comment is anchored to.
(function () {
  "use strict";
  const replypad = window.replypad;

  const list = replypad.rowList(".queue-row");
  const current = list.current;
  const move = list.move;

  if (document.querySelector("[data-page=review-queue]")) {
    replypad.shortcut("j", function () { move(1); });
    replypad.shortcut("k", function () { move(-1); });
    replypad.shortcut("Enter", function () {
      const row = current();
      if (row) window.location.href = row.dataset.href;
    });
    replypad.shortcut("a", function () {
      const form = current() && current().querySelector(".approve-form");
      if (form) form.requestSubmit();
    });
    replypad.shortcut("c", function () {
      const row = current();
      if (row) window.location.href = row.dataset.href + "#changes-comment";
    });
  }

  if (document.querySelector("[data-page=draft]")) {
    replypad.shortcut("a", function () {
      const form = document.getElementById("approve-form");
      if (form) form.requestSubmit();
    });
    replypad.shortcut("c", function () { replypad.focus("#changes-comment"); });
    if (window.location.hash === "#changes-comment") replypad.focus("#changes-comment");

    const body = document.getElementById("draft-body");
    const start = document.getElementById("comment-start");
    const end = document.getElementById("comment-end");
    const passage = document.getElementById("comment-passage");
    if (body && start && end) {
      const remember = function () {
        if (body.selectionEnd > body.selectionStart) {
          start.value = body.selectionStart;
          end.value = body.selectionEnd;
          passage.textContent =
            "Commenting on: “" + body.value.slice(body.selectionStart, body.selectionEnd) + "”";
        }
      };
      body.addEventListener("select", remember);
      body.addEventListener("mouseup", remember);
      body.addEventListener("keyup", remember);
    }
  }
})();
