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

// Debounced autosave: the reply box is saved as the agent's draft a moment
// after they stop typing, so a closed tab loses nothing and the team sees it.
// A 409 means someone else saved in between; their text is offered to merge.
(function () {
  "use strict";
  var timer = null;

  function save() {
    var status = document.getElementById("draft-status");
    var box = document.getElementById("reply-body");
    var version = document.getElementById("draft-version");
    if (!status || !box || !box.value.trim()) return;
    var form = new FormData();
    form.append("body", box.value);
    form.append("cc", (document.getElementById("reply-cc") || {}).value || "");
    form.append("draft_version", version.value);
    var token = document.querySelector("[name=csrfmiddlewaretoken]");
    fetch(status.dataset.autosaveUrl, {
      method: "POST",
      body: form,
      credentials: "same-origin",
      headers: { "X-CSRFToken": token ? token.value : "" },
    })
      .then(function (response) {
        return response.json().then(function (data) { return [response.status, data]; });
      })
      .then(function (result) {
        var code = result[0], data = result[1];
        if (code === 200) {
          version.value = data.version;
          status.innerHTML = "";
          status.append("Draft saved (version " + data.version + "). ");
          var link = document.createElement("a");
          link.href = data.url;
          link.textContent = "Open draft";
          status.append(link);
        } else if (code === 409 && data.current) {
          version.value = data.current.version;
          status.textContent =
            (data.current.by || "Someone") + " saved a newer version: “" +
            data.current.body.slice(0, 200) + "”. Your text is kept here; save again to replace it.";
        } else {
          var detail = data.detail || (data.body && data.body[0]) || "Could not save the draft.";
          status.textContent = detail;
        }
      })
      .catch(function () {});
  }

  document.addEventListener("input", function (event) {
    if (event.target.id !== "reply-body" && event.target.id !== "reply-cc") return;
    clearTimeout(timer);
    timer = setTimeout(save, 1200);
  });
})();
