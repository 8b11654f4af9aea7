// Tillverka advisor workspace: small enhancements; every page works without this script.
//  - the lead page polls its messages.json every 3 s and appends new transcript messages, so
//    the advisor sees the founder's answer live;
//  - the reply form is sent with fetch (X-CSRF-Token header) instead of reloading the page;
//  - the printable transcript gets a print button.
// Text from the server is always set as textContent, never as HTML.
(function () {
  "use strict";

  var POLL_MS = 3000;

  function each(selector, fn) {
    Array.prototype.forEach.call(document.querySelectorAll(selector), fn);
  }

  each("[data-print]", function (button) {
    button.hidden = false;
    button.addEventListener("click", function () {
      window.print();
    });
  });

  var transcript = document.getElementById("transcript");
  if (!transcript || !transcript.dataset.messagesUrl) {
    return;
  }
  var list = document.getElementById("messages");
  var url = transcript.dataset.messagesUrl;
  var shown = Number(transcript.dataset.count || 0);
  var timer = null;
  var stopped = false;
  var hint = transcript.querySelector(".live-hint");
  if (hint) {
    hint.hidden = false;
  }

  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) {
      node.className = className;
    }
    if (text) {
      node.textContent = text;
    }
    return node;
  }

  function messageItem(message) {
    var sender = message.from === "user" || message.from === "advisor" ? message.from : "bot";
    var item = element("li", "msg msg-" + sender);
    var meta = element("div", "msg-meta");
    meta.appendChild(element("span", "speaker", message.speaker));
    meta.appendChild(document.createTextNode(" "));
    var time = element("time", "", message.time);
    if (message.iso) {
      time.setAttribute("datetime", message.iso);
    }
    meta.appendChild(time);
    item.appendChild(meta);
    if (message.text) {
      item.appendChild(element("div", "msg-text", message.text));
    }
    if (message.note) {
      item.appendChild(element("div", "msg-note", message.note));
    }
    if (message.options) {
      item.appendChild(element("div", "msg-options", message.options));
    }
    return item;
  }

  function nearBottom() {
    return list.scrollHeight - list.scrollTop - list.clientHeight < 60;
  }

  function show(data) {
    if (!data || !data.available || !Array.isArray(data.messages)) {
      return;
    }
    ["transcript-unavailable", "transcript-empty"].forEach(function (id) {
      var notice = document.getElementById(id);
      if (notice && data.messages.length) {
        notice.remove();
      }
    });
    if (data.messages.length < shown) {
      return; // the conversation changed under us (erased?): a reload shows the truth
    }
    var follow = nearBottom();
    data.messages.slice(shown).forEach(function (message) {
      list.appendChild(messageItem(message));
    });
    if (data.messages.length > shown && follow) {
      list.scrollTop = list.scrollHeight;
    }
    shown = data.messages.length;
    transcript.dataset.count = String(shown);
  }

  function schedule() {
    if (!stopped) {
      window.clearTimeout(timer);
      timer = window.setTimeout(poll, POLL_MS);
    }
  }

  function poll() {
    if (document.hidden) {
      schedule(); // polled again when the tab is visible
      return;
    }
    fetch(url, { credentials: "same-origin", cache: "no-store", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (response.status === 401 || response.status === 404) {
          stopped = true; // signed out or erased: nothing more to show
          return null;
        }
        return response.ok ? response.json() : null;
      })
      .then(show)
      .catch(function () {
        // offline for a moment: try again at the next tick
      })
      .then(schedule);
  }

  document.addEventListener("visibilitychange", function () {
    if (!document.hidden && !stopped) {
      window.clearTimeout(timer);
      poll();
    }
  });
  list.scrollTop = list.scrollHeight;
  schedule();

  var form = document.getElementById("reply-form");
  if (!form || !window.FormData) {
    return;
  }
  var textarea = form.querySelector("textarea");
  var errorBox = document.getElementById("reply-error");
  var button = form.querySelector("button[type=submit]");

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var body = new FormData(form);
    var label = button.textContent;
    button.disabled = true;
    button.textContent = form.dataset.sending || label;
    errorBox.hidden = true;
    fetch(form.action, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { Accept: "application/json", "X-CSRF-Token": String(body.get("csrf") || "") },
    })
      .then(function (response) {
        return response
          .json()
          .catch(function () {
            return {};
          })
          .then(function (data) {
            if (response.ok) {
              textarea.value = "";
              window.clearTimeout(timer);
              poll();
            } else {
              errorBox.textContent = data.message || String(response.status);
              errorBox.hidden = false;
            }
          });
      })
      .catch(function () {
        form.submit(); // the network failed: send it the plain way, which reports itself
      })
      .then(function () {
        button.disabled = false;
        button.textContent = label;
      });
  });
})();
