// Conversation page: r/n/a/l/e, j/k between messages, and presence reporting
// ("viewing" or "replying") for collision detection.
(function () {
  "use strict";
  const replypad = window.replypad;
  const page = document.querySelector("[data-page=conversation]");
  if (!page) return;
  const state = document.getElementById("presence-state");

  replypad.shortcut("r", function () {
    replypad.focus("#reply-body") || replypad.focus("#reply-form textarea");
  });
  replypad.shortcut("n", function () {
    replypad.focus("#note-body") || replypad.focus("#note-form textarea");
  });
  replypad.shortcut("a", function () { replypad.focus("#assign-select"); });
  replypad.shortcut("l", function () { replypad.focus("#label-select"); });
  replypad.shortcut("e", function () {
    const resolve = document.getElementById("resolve-button");
    if (resolve) resolve.click();
  });
  replypad.shortcut("u", function () { window.location.href = "/"; });

  function messages() {
    return Array.from(document.querySelectorAll(".thread .message"));
  }
  let focused = -1;
  function step(delta) {
    const all = messages();
    if (!all.length) return;
    focused = Math.max(0, Math.min(all.length - 1, focused + delta));
    all[focused].setAttribute("tabindex", "-1");
    all[focused].focus();
  }
  replypad.shortcut("j", function () { step(1); });
  replypad.shortcut("k", function () { step(-1); });

  // "Replying" while the reply box has focus or unsent text; "viewing" otherwise.
  function report() {
    const box = document.getElementById("reply-body");
    const replying = box && (document.activeElement === box || box.value.trim() !== "");
    const value = replying ? "replying" : "viewing";
    if (state.value !== value) {
      state.value = value;
      if (window.htmx) window.htmx.trigger("#presence", "presence-changed");
    }
  }
  document.addEventListener("focusin", report);
  document.addEventListener("focusout", function () { setTimeout(report, 0); });
  document.addEventListener("input", report);

  // Each poll reports the newest message on screen, so a thread refreshed after
  // an action does not keep warning about messages already shown.
  document.body.addEventListener("htmx:configRequest", function (event) {
    if (event.detail.elt.id === "presence") {
      event.detail.parameters.after = String(replypad.lastSeenMessage());
    }
  });

  window.addEventListener("pagehide", function () {
    const csrf = document.querySelector("[name=csrfmiddlewaretoken]");
    if (!csrf) return;
    const data = new FormData();
    data.append("state", "left");
    data.append("csrfmiddlewaretoken", csrf.value);
    navigator.sendBeacon(
      document.getElementById("presence").getAttribute("hx-post"), data
    );
  });
})();
