// Tillverka's embed snippet: <script src="https://HOST/widget.js" defer></script>
// Puts a launcher bubble on the host page that opens the chat (HOST/embed) in an iframe. The
// chat itself runs inside the frame, on the web app's origin; this script only opens, closes
// and places it. Styles are set through the CSSOM (element.style), which host pages' CSPs allow
// where <style> elements and style attributes may be refused.
(function () {
  "use strict";

  // currentScript is null only if a loader runs us oddly (e.g. as a module): find our tag
  var script = document.currentScript || document.querySelector('script[src$="/widget.js"]');
  if (!script || !script.src || window.__tillverkaWidget) return;
  window.__tillverkaWidget = true;

  var ORIGIN = new URL(script.src).origin;
  var READY_GRACE_MS = 2500; // after the frame's load event, the chat has this long to say hello
  var STRINGS = {
    sv: {
      launcher: "Chatta med Tillverka",
      frame: "Tillverkas chattfönster",
      blocked: "Chatten kan inte visas på den här webbplatsen.",
      openHere: "Öppna chatten i en ny flik",
    },
    en: {
      launcher: "Chat with Tillverka",
      frame: "Tillverka chat window",
      blocked: "The chat cannot be shown on this website.",
      openHere: "Open the chat in a new tab",
    },
  };
  var lang = pickLanguage(script.getAttribute("data-lang") || document.documentElement.lang || navigator.language);
  var text = STRINGS[lang];

  var panelId = "tillverka-chat-panel";
  var launcher = element("button", {
    type: "button",
    "aria-expanded": "false",
    "aria-controls": panelId,
    "aria-label": text.launcher, // one name; aria-expanded says whether it is open
    "data-tillverka": "launcher",
  });
  launcher.appendChild(chatIcon());
  css(launcher, {
    position: "fixed",
    right: "20px",
    bottom: "20px",
    width: "60px",
    height: "60px",
    borderRadius: "50%",
    border: "0",
    padding: "0",
    background: "#1b4d3e",
    color: "#ffffff",
    boxShadow: "0 4px 14px rgba(0,0,0,0.25)",
    cursor: "pointer",
    zIndex: "2147483000",
    display: "grid",
    placeItems: "center",
  });
  visibleFocus(launcher);

  var panel = element("div", { id: panelId, "data-tillverka": "panel", hidden: "" });
  css(panel, {
    position: "fixed",
    zIndex: "2147483000",
    background: "#ffffff",
    borderRadius: "14px",
    boxShadow: "0 10px 40px rgba(0,0,0,0.3)",
    overflow: "hidden",
  });

  var notice = element("div", { role: "status", "data-tillverka": "notice" });
  css(notice, { padding: "16px", font: "15px/1.4 system-ui, sans-serif", color: "#1b1f23" });

  var frame = null;
  var ready = false;
  var blocked = false;
  var readyTimer = null;

  launcher.addEventListener("click", function () {
    setOpen(launcher.getAttribute("aria-expanded") !== "true");
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && isOpen()) setOpen(false);
  });
  window.addEventListener("message", function (event) {
    // only our own frame may open, close or confirm the chat
    if (!frame || event.origin !== ORIGIN || event.source !== frame.contentWindow) return;
    var type = event.data && event.data.type;
    if (type === "tillverka:ready") {
      ready = true;
      clearTimeout(readyTimer);
      notice.remove();
      frame.contentWindow.postMessage({ type: "tillverka:focus" }, ORIGIN);
    } else if (type === "tillverka:close") {
      setOpen(false);
    }
  });
  window.addEventListener("resize", place);

  function isOpen() {
    return launcher.getAttribute("aria-expanded") === "true";
  }

  function setOpen(open) {
    launcher.setAttribute("aria-expanded", String(open));
    launcher.replaceChildren(open ? closeIcon() : chatIcon());
    place();
    if (open) {
      panel.hidden = false;
      if (!frame) createFrame();
      else if (ready) frame.contentWindow.postMessage({ type: "tillverka:focus" }, ORIGIN);
    } else {
      panel.hidden = true;
      launcher.focus();
    }
  }

  function createFrame() {
    var src = ORIGIN + "/embed?lang=" + lang;
    frame = element("iframe", { src: src, title: text.frame, "data-tillverka": "frame" });
    css(frame, { width: "100%", height: "100%", border: "0", display: "block" });
    frame.addEventListener("load", function () {
      // A refused frame (frame-ancestors) loads an error page that never says hello.
      clearTimeout(readyTimer);
      if (!ready) readyTimer = setTimeout(showBlocked, READY_GRACE_MS);
    });
    panel.appendChild(frame);
  }

  function showBlocked() {
    if (ready) return;
    notice.replaceChildren(document.createTextNode(text.blocked + " "));
    var link = element("a", { href: ORIGIN + "/", target: "_blank", rel: "noopener" });
    link.textContent = text.openHere;
    notice.appendChild(link);
    blocked = true;
    css(frame, { display: "none" });
    panel.insertBefore(notice, panel.firstChild);
    place();
  }

  function place() {
    // a phone gets the whole screen (the chat's own close button and Escape close it);
    // a wider screen a panel above the launcher
    var narrow = window.innerWidth < 480;
    css(
      panel,
      narrow
        ? { top: "0", left: "0", right: "0", bottom: "0", width: "100%", height: "100%", borderRadius: "0" }
        : {
            top: "auto",
            left: "auto",
            right: "20px",
            bottom: "92px",
            width: "min(400px, calc(100vw - 40px))",
            height: "min(640px, calc(100vh - 120px))",
            borderRadius: "14px",
          }
    );
    if (blocked) css(panel, { top: "auto", height: "auto" }); // just the notice
    css(launcher, { display: narrow && isOpen() && !blocked ? "none" : "grid" });
  }

  function pickLanguage(tag) {
    return String(tag || "").toLowerCase().indexOf("sv") === 0 ? "sv" : "en";
  }

  function element(tag, attrs) {
    var el = document.createElement(tag);
    for (var name in attrs) el.setAttribute(name, attrs[name]);
    return el;
  }

  function css(el, styles) {
    for (var name in styles) el.style[name] = styles[name];
  }

  function visibleFocus(el) {
    el.addEventListener("focus", function () {
      var keyboard = !el.matches || el.matches(":focus-visible");
      css(el, { outline: keyboard ? "3px solid #0b57d0" : "none", outlineOffset: "3px" });
    });
    el.addEventListener("blur", function () {
      css(el, { outline: "none" });
    });
  }

  function icon(d) {
    var ns = "http://www.w3.org/2000/svg";
    var svg = document.createElementNS(ns, "svg");
    svg.setAttribute("viewBox", "0 0 24 24");
    svg.setAttribute("width", "28");
    svg.setAttribute("height", "28");
    svg.setAttribute("aria-hidden", "true");
    svg.setAttribute("focusable", "false");
    var path = document.createElementNS(ns, "path");
    path.setAttribute("d", d);
    path.setAttribute("fill", "none");
    path.setAttribute("stroke", "currentColor");
    path.setAttribute("stroke-width", "2");
    path.setAttribute("stroke-linecap", "round");
    path.setAttribute("stroke-linejoin", "round");
    svg.appendChild(path);
    return svg;
  }

  function chatIcon() {
    return icon("M4 5h16v11H9l-5 4z M8 9h8 M8 12h5");
  }

  function closeIcon() {
    return icon("M6 6l12 12M18 6L6 18");
  }

  function mount() {
    document.body.appendChild(panel);
    document.body.appendChild(launcher);
  }

  if (document.body) mount();
  else document.addEventListener("DOMContentLoaded", mount);
})();
