// The founders' chat page: index (the chat and the embed snippet) or embed (the chat alone, in a
// host page's iframe, opened by widget.js). This sets up the page, the chat's frame and its
// language; conversation.js talks to the web app. The other modules are imported from /static/,
// which the pages' CSP (script-src 'self') allows.

import { Chat } from "./conversation.js";
import { h, svg } from "./dom.js";
import { LANGUAGES, STRINGS, preferredLanguage, t } from "./i18n.js";
import { storage } from "./storage.js";

const LANG_KEY = "tillverka.lang";

// ---------------------------------------------------------------------------------------------
// The chat widget's DOM

function buildChat(mount, { embedded }) {
  const headingTag = embedded ? "h1" : "h2";
  const ui = {};
  // framed on another site, the chat is the frame's only content: a short name suffices
  const titleKey = embedded ? "bot" : "chatTitle";
  ui.title = h(headingTag, { id: "chat-title", class: "chat-title", "data-i18n": titleKey });
  ui.languageButtons = LANGUAGES.map((lang) =>
    h("button", {
      type: "button",
      class: "lang-button",
      lang,
      "data-lang": lang,
      "aria-pressed": "false",
      text: STRINGS[lang].languageName,
    }),
  );
  const languageGroup = h(
    "div",
    { class: "lang-toggle", role: "group", "data-i18n-label": "languageGroup" },
    ui.languageButtons,
  );
  ui.close = embedded
    ? h("button", { type: "button", class: "close-button", "data-i18n-label": "close" }, closeIcon())
    : null;
  ui.status = h("p", { class: "chat-status", role: "status" });
  // while an advisor has taken the conversation over (the bot is paused)
  ui.human = h("p", { class: "human-bar", hidden: true, "data-i18n": "humanAnswering" });
  ui.empty = h("p", { class: "empty-log", "data-i18n": "emptyLog" });
  ui.log = h(
    "div",
    {
      class: "chat-log",
      role: "log",
      "aria-live": "polite",
      "data-i18n-label": "log",
      "aria-busy": "true", // until the history is in
      tabindex: "0",
    },
    ui.empty,
  );
  ui.input = h("textarea", {
    id: "chat-input",
    class: "chat-input",
    rows: "2",
    autocomplete: "off",
    "data-i18n-placeholder": "inputPlaceholder",
    "aria-describedby": "chat-input-error",
  });
  ui.inputError = h("p", { id: "chat-input-error", class: "input-error", "aria-live": "polite" });
  ui.send = h("button", { type: "submit", class: "send-button", "data-i18n": "send" });
  ui.form = h(
    "form",
    { class: "composer", novalidate: true },
    h("label", { for: "chat-input", class: "visually-hidden", "data-i18n": "inputLabel" }),
    ui.input,
    ui.send,
  );
  ui.startOver = h("button", { type: "button", class: "link-button", "data-i18n": "startOver" });
  ui.download = h("a", {
    href: "/api/chat/transcript",
    hidden: true, // until there is a conversation to download
    download: true, // the server names the file
    class: "link-button",
    "data-i18n": "download",
  });
  const root = h(
    "section",
    { class: "chat", "aria-labelledby": "chat-title" },
    h("header", { class: "chat-header" }, ui.title, languageGroup, ui.close),
    ui.human,
    ui.status,
    ui.log,
    ui.form,
    ui.inputError,
    h("div", { class: "chat-actions" }, ui.startOver, ui.download),
  );
  mount.replaceChildren(root);
  return ui;
}

function closeIcon() {
  return svg(
    "svg",
    { viewBox: "0 0 24 24", width: "20", height: "20", "aria-hidden": "true", focusable: "false" },
    svg("path", { d: "M6 6l12 12M18 6L6 18", class: "icon-stroke" }),
  );
}

/** Every [data-i18n*] element under `root` in `lang`. */
function applyStrings(root, lang) {
  for (const el of root.querySelectorAll("[data-i18n]")) el.textContent = t(lang, el.dataset.i18n);
  for (const el of root.querySelectorAll("[data-i18n-label]")) {
    el.setAttribute("aria-label", t(lang, el.dataset.i18nLabel));
  }
  for (const el of root.querySelectorAll("[data-i18n-placeholder]")) {
    el.setAttribute("placeholder", t(lang, el.dataset.i18nPlaceholder));
  }
}

// ---------------------------------------------------------------------------------------------
// Page set-up

function setLanguage(lang) {
  document.documentElement.lang = lang;
  document.title = t(lang, "pageTitle");
  applyStrings(document, lang);
  for (const link of document.querySelectorAll("a[href^='/api/chat/transcript']")) {
    link.setAttribute("href", `/api/chat/transcript?lang=${lang}`);
  }
  for (const button of document.querySelectorAll(".lang-button")) {
    button.setAttribute("aria-pressed", String(button.dataset.lang === lang));
  }
}

function chooseLanguage(lang) {
  storage.set("localStorage", LANG_KEY, lang); // an explicit choice outlives the browser's
  setLanguage(lang);
}

function setUpSnippet(lang) {
  const code = document.getElementById("embed-snippet");
  const copy = document.getElementById("embed-copy");
  if (!code) return;
  code.textContent = `<script src="${location.origin}/widget.js" defer></script>`;
  copy?.addEventListener("click", async () => {
    try {
      await navigator.clipboard.writeText(code.textContent);
      copy.textContent = t(document.documentElement.lang || lang, "copied");
    } catch {
      const range = document.createRange(); // no clipboard permission: select it for Ctrl+C
      range.selectNodeContents(code);
      window.getSelection().removeAllRanges();
      window.getSelection().addRange(range);
    }
  });
}

function setUpEmbed(ui) {
  // the host page's widget.js opens and closes the frame; it checks that messages come from us
  const toParent = (type) => window.parent !== window && window.parent.postMessage({ type }, "*");
  ui.close?.addEventListener("click", () => toParent("tillverka:close"));
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape") toParent("tillverka:close");
  });
  window.addEventListener("message", (event) => {
    if (event.source === window.parent && event.data?.type === "tillverka:focus") ui.input.focus();
  });
  toParent("tillverka:ready");
}

function main() {
  const mount = document.querySelector("[data-chat]");
  if (!mount) return;
  const embedded = document.body.dataset.mode === "embed";
  const requested = new URLSearchParams(location.search).get("lang");
  const lang = preferredLanguage(
    storage.get("localStorage", LANG_KEY) || requested,
    navigator.languages || [navigator.language],
  );
  const ui = buildChat(mount, { embedded });
  setLanguage(lang);
  setUpSnippet(lang);
  if (embedded) setUpEmbed(ui);
  new Chat(ui, lang, { onLanguage: chooseLanguage }).start();
}

main();
