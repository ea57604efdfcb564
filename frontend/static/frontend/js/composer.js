// Reply composer: countdown to the end of the undo window, Ctrl/Cmd+Enter to
// send, the collision check hook (window.replypad.checkBeforeSend, provided by
// the conversation page when present) and a thread refresh after each action.
(function () {
  "use strict";

  function tick() {
    document.querySelectorAll("[data-send-after]").forEach(function (el) {
      var left = Math.ceil((Date.parse(el.dataset.sendAfter) - Date.now()) / 1000);
      el.textContent = String(Math.max(left, 0));
    });
  }
  setInterval(tick, 500);
  document.addEventListener("htmx:afterSwap", tick);

  document.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey) && event.target.id === "reply-body") {
      event.preventDefault();
      var send = event.target.form.querySelector("button[type=submit]");
      if (send) event.target.form.requestSubmit(send);
    }
  });

  // Ask the page whether the conversation moved on before a reply goes out.
  document.addEventListener("htmx:confirm", function (event) {
    var form = event.detail.elt;
    var check = window.replypad && window.replypad.checkBeforeSend;
    if (!form || form.id !== "reply-form" || typeof check !== "function") return;
    event.preventDefault();
    Promise.resolve(check(form)).then(function (ok) {
      if (ok !== false) event.detail.issueRequest(true);
    });
  });

  // htmx 2 does not swap 4xx answers; refusals from frontend.helpers.error_response
  // (HX-Retarget: #flash) are meant to be shown, so let them through.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var xhr = event.detail.xhr;
    if (xhr.status >= 400 && xhr.status < 500 && xhr.getResponseHeader("HX-Retarget")) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });

  // A canned reply's preview puts its rendered text into the reply box, where
  // the agent can tailor it; once they edit it, later previews leave it alone.
  document.addEventListener("htmx:afterSettle", function () {
    var rendered = document.getElementById("template-rendered-body");
    var box = document.getElementById("reply-body");
    if (!rendered || !box) return;
    if (box.value.trim() === "" || box.value === box.dataset.inserted) {
      box.value = rendered.value;
      box.dataset.inserted = rendered.value;
    }
  });

  document.body.addEventListener("conversation-changed", function () {
    var composer = document.getElementById("composer");
    if (!composer || !document.getElementById("thread") || !window.htmx) return;
    window.htmx.ajax("GET", composer.dataset.threadUrl, { target: "#thread", swap: "outerHTML" });
  });
})();
