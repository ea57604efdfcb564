// @mention autocomplete for note forms: typing "@al" asks the server for matching
// teammates of the conversation's mailbox; choosing one inserts "@username ".
(function () {
  if (window.replypadNotes) return; // loaded again when htmx swaps a form in
  window.replypadNotes = true;

  function currentMention(textarea) {
    var upto = textarea.value.slice(0, textarea.selectionStart);
    var match = /(^|[^\w.+\-@\/])@([\w.+-]*)$/.exec(upto);
    return match ? { query: match[2], start: upto.length - match[2].length - 1 } : null;
  }

  function boxFor(textarea) {
    return document.getElementById(textarea.dataset.mentionsTarget);
  }

  function insert(textarea, username) {
    var mention = currentMention(textarea);
    if (!mention) return;
    var end = textarea.selectionStart;
    var text = "@" + username + " ";
    textarea.value = textarea.value.slice(0, mention.start) + text + textarea.value.slice(end);
    var caret = mention.start + text.length;
    textarea.focus();
    textarea.setSelectionRange(caret, caret);
    boxFor(textarea).innerHTML = "";
  }

  document.addEventListener("input", function (event) {
    var textarea = event.target;
    if (!textarea.matches || !textarea.matches("textarea[data-mentions-url]")) return;
    var box = boxFor(textarea);
    var mention = currentMention(textarea);
    if (!mention) { box.innerHTML = ""; return; }
    var url = textarea.dataset.mentionsUrl + "?q=" + encodeURIComponent(mention.query);
    htmx.ajax("GET", url, { target: box, swap: "innerHTML" });
  });

  document.addEventListener("keydown", function (event) {
    var textarea = event.target;
    if (!textarea.matches || !textarea.matches("textarea[data-mentions-url]")) return;
    var first = boxFor(textarea).querySelector("[data-mention-username]");
    if (!first) return;
    if (event.key === "ArrowDown") { event.preventDefault(); first.focus(); }
    if (event.key === "Escape") { boxFor(textarea).innerHTML = ""; }
    if (event.key === "Tab" && currentMention(textarea)) {
      event.preventDefault();
      insert(textarea, first.dataset.mentionUsername);
    }
  });

  document.addEventListener("keydown", function (event) {
    var option = event.target.closest && event.target.closest("[data-mention-username]");
    if (!option) return;
    var items = Array.prototype.slice.call(option.closest("ul").querySelectorAll("[data-mention-username]"));
    var index = items.indexOf(option);
    if (event.key === "ArrowDown" && items[index + 1]) { event.preventDefault(); items[index + 1].focus(); }
    if (event.key === "ArrowUp") {
      event.preventDefault();
      if (items[index - 1]) { items[index - 1].focus(); }
      else { document.getElementById(option.closest("[data-mentions-for]").dataset.mentionsFor).focus(); }
    }
  });

  document.addEventListener("click", function (event) {
    var option = event.target.closest && event.target.closest("[data-mention-username]");
    if (!option) return;
    var box = option.closest("[data-mentions-for]");
    insert(document.getElementById(box.dataset.mentionsFor), option.dataset.mentionUsername);
  });
})();
