// Shared by every agent page: the shortcut registry, the help dialog, and the
// collision check the reply composer calls before sending.
(function () {
  "use strict";
  const replypad = (window.replypad = window.replypad || {});
  const handlers = {};

  function typing(target) {
    const tag = target && target.tagName;
    return (
      target &&
      (target.isContentEditable || tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT")
    );
  }

  // replypad.shortcut("j", fn): fn(event) runs when the key is pressed outside a field.
  replypad.shortcut = function (key, fn) {
    handlers[key] = fn;
  };

  document.addEventListener("keydown", function (event) {
    if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey) return;
    if (typing(event.target)) {
      if (event.key === "Escape") event.target.blur();
      return;
    }
    const fn = handlers[event.key];
    if (fn) {
      event.preventDefault();
      fn(event);
    }
  });

  replypad.shortcut("?", function () {
    const help = document.getElementById("shortcuts-help");
    if (help && !help.open) help.showModal();
  });
  replypad.shortcut("/", function () {
    const search = document.getElementById("search-q");
    if (search) search.focus();
    else window.location.href = "/?focus=search";
  });

  // replypad.rowList(".conversation-row", "a.subject"): the rows of a keyboard
  // list; move(step) selects the next or previous one (j/k) and focuses its
  // `focusSelector` child, current() is the selected row.
  replypad.rowList = function (rowSelector, focusSelector) {
    function rows() {
      return Array.from(document.querySelectorAll(rowSelector));
    }
    function current() {
      return document.querySelector(rowSelector + ".is-selected");
    }
    function move(step) {
      const all = rows();
      if (!all.length) return;
      const index = all.indexOf(current());
      const next = all[Math.max(0, Math.min(all.length - 1, index + step))] || all[0];
      all.forEach(function (row) {
        row.classList.remove("is-selected");
        row.removeAttribute("aria-current");
      });
      next.classList.add("is-selected");
      next.setAttribute("aria-current", "true");
      next.scrollIntoView({ block: "nearest" });
      const target = focusSelector && next.querySelector(focusSelector);
      if (target) target.focus({ preventScroll: true });
    }
    return { rows: rows, current: current, move: move };
  };

  replypad.focus = function (selector) {
    const element = document.querySelector(selector);
    if (!element) return false;
    if (element.closest("details")) element.closest("details").open = true;
    element.scrollIntoView({ block: "center" });
    element.focus();
    return true;
  };

  // The newest message the agent has on screen (the thread may have been
  // refreshed since the page loaded).
  replypad.lastSeenMessage = function () {
    const page = document.querySelector("[data-page=conversation]");
    let newest = page ? Number(page.dataset.lastMessage || 0) : 0;
    document.querySelectorAll(".thread .message[id^=message-]").forEach(function (el) {
      newest = Math.max(newest, Number(el.id.slice("message-".length)) || 0);
    });
    return newest;
  };

  // Held send. The composer calls, before it sends:
  //   const ok = await window.replypad.checkBeforeSend();
  // It resolves true when nothing new arrived since the newest message on screen
  // (or the agent chose "Send anyway"), false when the agent wants to read the
  // new messages first. The Outbound composer (composer.js) calls it from
  // htmx:confirm on #reply-form; a plain (non-htmx) #reply-form is checked here.
  replypad.checkBeforeSend = async function () {
    const page = document.querySelector("[data-page=conversation]");
    if (!page) return true;
    const after = String(replypad.lastSeenMessage());
    let arrived = [];
    try {
      const response = await fetch(
        page.dataset.newMessagesUrl + "?after=" + encodeURIComponent(after),
        { headers: { Accept: "application/json" }, credentials: "same-origin" }
      );
      if (!response.ok) return true;
      arrived = (await response.json()).new_messages || [];
    } catch (error) {
      return true; // Never block a reply because the check itself failed.
    }
    if (!arrived.length) return true;
    return showHeldSend(arrived);
  };

  function showHeldSend(arrived) {
    return new Promise(function (resolve) {
      let dialog = document.getElementById("held-send");
      if (!dialog) {
        dialog = document.createElement("dialog");
        dialog.id = "held-send";
        dialog.setAttribute("aria-labelledby", "held-send-title");
        document.body.appendChild(dialog);
      }
      dialog.replaceChildren();
      const title = document.createElement("h2");
      title.id = "held-send-title";
      title.textContent =
        arrived.length + " new message" + (arrived.length === 1 ? "" : "s") +
        " arrived while you were writing";
      const list = document.createElement("ul");
      arrived.forEach(function (message) {
        const item = document.createElement("li");
        item.textContent = message.from + ": " + message.preview;
        list.appendChild(item);
      });
      const read = document.createElement("button");
      read.type = "button";
      read.className = "primary";
      read.textContent = "Hold and read them";
      const send = document.createElement("button");
      send.type = "button";
      send.textContent = "Send anyway";
      dialog.append(title, list, read, send);
      read.addEventListener("click", function () {
        dialog.close();
        resolve(false);
        window.location.reload();
      });
      send.addEventListener("click", function () {
        dialog.close();
        resolve(true);
      });
      dialog.addEventListener("cancel", function () { resolve(false); }, { once: true });
      dialog.showModal();
      read.focus();
    });
  }

  document.addEventListener("submit", function (event) {
    const form = event.target;
    if (form.id !== "reply-form" || form.hasAttribute("hx-post") || form.dataset.checked === "1") return;
    event.preventDefault();
    replypad.checkBeforeSend().then(function (ok) {
      if (!ok) return;
      form.dataset.checked = "1";
      form.requestSubmit(event.submitter || undefined);
      delete form.dataset.checked;
    });
  });
})();
