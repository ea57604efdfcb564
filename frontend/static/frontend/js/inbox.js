// Inbox list: j/k to move, Enter to open, x to select, and "select all".
(function () {
  "use strict";
  const replypad = window.replypad;

  const list = replypad.rowList(".conversation-row", "a.subject");
  const rows = list.rows;
  const current = list.current;
  const move = list.move;

  replypad.shortcut("j", function () { move(1); });
  replypad.shortcut("k", function () { move(-1); });
  replypad.shortcut("Enter", function () {
    const row = current();
    if (row) window.location.href = row.dataset.href;
  });
  replypad.shortcut("o", function () {
    const row = current();
    if (row) window.location.href = row.dataset.href;
  });
  replypad.shortcut("x", function () {
    const row = current();
    const box = row && row.querySelector("input[type=checkbox]");
    if (box) box.checked = !box.checked;
  });
  replypad.shortcut("e", function () {
    const row = current();
    const box = row && row.querySelector("input[type=checkbox]");
    const bulk = document.getElementById("bulk-do");
    if (!box || !bulk) return;
    box.checked = true;
    bulk.value = "resolve:";
    bulk.form.requestSubmit();
  });
  replypad.shortcut("a", function () { replypad.focus("#bulk-do"); });
  replypad.shortcut("l", function () { replypad.focus("#bulk-do"); });

  document.addEventListener("change", function (event) {
    if (event.target.id !== "select-all") return;
    rows().forEach(function (row) {
      const box = row.querySelector("input[type=checkbox]");
      if (box) box.checked = event.target.checked;
    });
  });

  // Focus follows a mouse click on a row too, so j/k continue from there.
  document.addEventListener("click", function (event) {
    const row = event.target.closest && event.target.closest(".conversation-row");
    if (!row) return;
    rows().forEach(function (r) { r.classList.remove("is-selected"); });
    row.classList.add("is-selected");
  });

  if (new URLSearchParams(window.location.search).get("focus") === "search") {
    replypad.focus("#search-q");
  }
})();
