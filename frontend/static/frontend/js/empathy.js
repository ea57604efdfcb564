// Empathy findings in the reply editor: apply a rewrite, or show its phrase.
// Finding offsets count code points (Python); textarea offsets count UTF-16
// units, so they are converted before touching the text.
(function () {
  if (window.replypadEmpathy) return;
  window.replypadEmpathy = true;

  function utf16Offset(text, codePoints) {
    return Array.from(text).slice(0, codePoints).join("").length;
  }

  function editorFor(button) {
    var assist = button.closest("[data-empathy-assist]");
    return assist && document.querySelector(assist.dataset.empathyFor);
  }

  function recheck(textarea) {
    textarea.dispatchEvent(new Event("empathy-recheck", { bubbles: true }));
  }

  document.addEventListener("click", function (event) {
    var apply = event.target.closest("[data-empathy-apply]");
    var select = event.target.closest("[data-empathy-select]");
    var button = apply || select;
    if (!button) return;
    var textarea = editorFor(button);
    if (!textarea) return;
    var text = textarea.value;
    var start = utf16Offset(text, Number(button.dataset.start));
    var end = utf16Offset(text, Number(button.dataset.end));
    if (select) {
      textarea.focus();
      textarea.setSelectionRange(start, end);
      return;
    }
    if (text.slice(start, end) !== button.dataset.original) {
      // The text changed since the check: check again instead of guessing.
      recheck(textarea);
      return;
    }
    var suggestion = button.dataset.suggestion || "";
    var before = text.slice(0, start);
    var after = text.slice(end);
    if (!suggestion && / $/.test(before) && /^ /.test(after)) after = after.slice(1);
    textarea.value = before + suggestion + after;
    textarea.focus();
    textarea.setSelectionRange(start + suggestion.length, start + suggestion.length);
    recheck(textarea);
  });
})();
