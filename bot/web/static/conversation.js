// The conversation: one websocket to the web app (docs/chat-protocol.md), the founder's messages
// until the bot has them, and the message log with quick replies and cards.

import { renderCustom } from "./card.js";
import { h } from "./dom.js";
import { LANGUAGES, STRINGS, t } from "./i18n.js";
import { richText } from "./rich-text.js";
import { storage } from "./storage.js";

const MAX_LENGTH = 2000; // the server refuses longer messages (too_long)
const PENDING_KEY = "tillverka.pending";
const BACKOFF_MS = [500, 1000, 2000, 4000, 8000]; // then every ~8 s: back soon after an outage
const CONNECTING_NOTICE_MS = 1000; // a quick connection needs no "Connecting…"
const START_OVER = "/start_over"; // the chat's own payloads for the bot
const switchLanguagePayload = (lang) => `/switch_language{"language": "${lang}"}`;

function newMessageId() {
  if (crypto.randomUUID) return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16)); // randomUUID needs a secure context
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** The server may send a reply's text and its `custom` payload as two messages: one item. */
function groupMessages(messages) {
  const items = [];
  for (const message of messages || []) {
    const previous = items[items.length - 1];
    const plainBefore =
      previous &&
      previous.from === "bot" &&
      !previous.custom &&
      !(previous.buttons || []).length &&
      message.from === "bot";
    if (message.custom && !message.text && plainBefore) {
      items[items.length - 1] = { ...previous, custom: message.custom };
    } else {
      items.push(message);
    }
  }
  return items;
}

export class Chat {
  constructor(ui, lang, { onLanguage }) {
    this.ui = ui;
    this.lang = lang;
    this.onLanguage = onLanguage; // the page remembers the founder's choice and relabels itself
    this.socket = null;
    this.ready = false; // the server has answered hello with the history
    this.attempt = 0;
    this.reconnectTimer = null;
    this.connectingTimer = null;
    this.wasConnected = false;
    this.typing = null;
    this.human = false; // an advisor has taken over: the bot is paused
    this.bubbles = new Map(); // message id -> the founder's bubble
    this.pending = new Map(loadPending().map((item) => [item.id, item]));
  }

  start() {
    const { ui } = this;
    ui.form.addEventListener("submit", (event) => {
      event.preventDefault();
      this.submitInput();
    });
    ui.input.addEventListener("keydown", (event) => {
      if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        this.submitInput();
      }
    });
    ui.input.addEventListener("input", () => this.checkLength());
    ui.startOver.addEventListener("click", () => this.send(START_OVER, t(this.lang, "startOver")));
    for (const button of ui.languageButtons) {
      button.addEventListener("click", () => this.switchLanguage(button.dataset.lang));
    }
    // what the founder wrote before a reload and that was not answered yet, until the history
    if (this.pending.size) {
      this.appendMessages([...this.pending.values()].map((item) => userMessage(item)));
      for (const id of this.pending.keys()) this.setBubbleStatus(id, "waiting");
    }
    window.addEventListener("online", () => this.reconnectNow());
    document.addEventListener("visibilitychange", () => {
      if (document.visibilityState === "visible") this.reconnectNow();
    });
    this.connect();
  }

  // --- language

  switchLanguage(lang) {
    if (lang === this.lang) return;
    this.onLanguage(lang);
    this.lang = lang;
    // the bot follows: its reply confirms the switch in the new language
    this.send(switchLanguagePayload(lang), STRINGS[lang].languageName);
  }

  // --- sending

  submitInput() {
    const text = this.ui.input.value.trim();
    if (!text) return;
    if (!this.checkLength()) return;
    this.ui.input.value = "";
    this.send(text);
  }

  checkLength() {
    const count = this.ui.input.value.length;
    const tooLong = count > MAX_LENGTH;
    this.ui.inputError.textContent = tooLong ? t(this.lang, "tooLong", { count, max: MAX_LENGTH }) : "";
    this.ui.input.setAttribute("aria-invalid", tooLong ? "true" : "false");
    return !tooLong;
  }

  send(text, display) {
    const item = { id: newMessageId(), text, ...(display ? { display } : {}) };
    this.pending.set(item.id, item);
    savePending(this.pending);
    this.appendMessages([userMessage(item)]);
    this.transmit(item);
  }

  transmit(item) {
    if (this.isOpen()) {
      this.socket.send(JSON.stringify({ type: "message", ...item }));
      this.setBubbleStatus(item.id, "sending");
    } else {
      this.setBubbleStatus(item.id, "waiting");
    }
  }

  isOpen() {
    return this.ready && this.socket && this.socket.readyState === WebSocket.OPEN;
  }

  settle(id) {
    if (this.pending.delete(id)) savePending(this.pending);
    this.setBubbleStatus(id, null);
  }

  // --- connection

  connect() {
    clearTimeout(this.reconnectTimer);
    this.reconnectTimer = null;
    const scheme = location.protocol === "https:" ? "wss:" : "ws:";
    let socket;
    try {
      socket = new WebSocket(`${scheme}//${location.host}/ws`);
    } catch {
      this.scheduleReconnect();
      return;
    }
    this.socket = socket;
    this.ready = false;
    clearTimeout(this.connectingTimer);
    if (this.wasConnected || this.attempt) this.showStatus("reconnecting");
    else this.connectingTimer = setTimeout(() => this.showStatus("connecting"), CONNECTING_NOTICE_MS);
    socket.addEventListener("open", () => {
      socket.send(JSON.stringify({ type: "hello", lang: this.lang }));
    });
    socket.addEventListener("message", (event) => {
      let frame;
      try {
        frame = JSON.parse(event.data);
      } catch {
        return; // not ours to show
      }
      this.handleFrame(frame);
    });
    socket.addEventListener("close", () => {
      if (this.socket !== socket) return;
      clearTimeout(this.connectingTimer);
      this.socket = null;
      this.ready = false;
      this.hideTyping();
      for (const id of this.pending.keys()) this.setBubbleStatus(id, "waiting");
      this.showStatus("reconnecting");
      this.scheduleReconnect();
    });
  }

  scheduleReconnect() {
    if (this.reconnectTimer) return;
    const base = BACKOFF_MS[Math.min(this.attempt, BACKOFF_MS.length - 1)];
    this.attempt += 1;
    const delay = base * (0.8 + Math.random() * 0.4); // jitter: not every tab at once
    this.reconnectTimer = setTimeout(() => this.connect(), delay);
  }

  reconnectNow() {
    if (this.socket) return;
    this.attempt = 0;
    this.connect();
  }

  showStatus(key) {
    this.ui.status.textContent = key ? t(this.lang, key) : "";
    this.ui.status.dataset.state = key || "";
  }

  // --- frames from the server

  handleFrame(frame) {
    switch (frame.type) {
      case "history":
        this.onHistory(frame.messages || []);
        break;
      case "ack":
        if (this.pending.has(frame.id)) this.setBubbleStatus(frame.id, "sent");
        break;
      case "typing":
        this.showTyping();
        break;
      case "bot":
        this.hideTyping();
        if (frame.reply_to) this.settle(frame.reply_to);
        this.appendMessages(frame.messages || [], { reply: true });
        break;
      case "push": // from outside the bot: an advisor unless it says otherwise
        this.appendMessages(
          (frame.messages || []).map((m) => ({ from: "advisor", ...m })),
          { reply: true },
        );
        break;
      case "error":
        this.onError(frame);
        break;
      default:
        break;
    }
  }

  onHistory(messages) {
    clearTimeout(this.connectingTimer);
    this.ready = true;
    this.wasConnected = true;
    this.attempt = 0;
    this.showStatus(null);
    // a message already in the history with its reply needs no resend (after a reload)
    for (const id of answeredIds(messages, this.pending)) this.pending.delete(id);
    savePending(this.pending);
    const { log } = this.ui;
    const keepScroll = log.scrollHeight - log.scrollTop - log.clientHeight > 40 && log.scrollTop;
    log.replaceChildren();
    this.bubbles.clear();
    this.typing = null;
    this.human = false; // the history says again whether an advisor is answering
    const shown = new Set(messages.filter((m) => m.id).map((m) => m.id));
    const unsent = [...this.pending.values()].filter((item) => !shown.has(item.id));
    this.appendMessages([...messages, ...unsent.map(userMessage)]);
    log.setAttribute("aria-busy", "false");
    if (keepScroll) log.scrollTop = keepScroll; // a reconnect does not move what is being read
    if (!messages.length && !unsent.length) {
      this.ui.log.append(this.ui.empty);
      this.ui.download.hidden = true;
    }
    for (const item of this.pending.values()) this.transmit(item);
  }

  onError(frame) {
    this.hideTyping();
    const message = politeMessage(frame.message, this.lang);
    const id = frame.reply_to;
    if (!this.ready) {
      // the history could not be read (the bot or its database is down): say so once, and
      // try again through the reconnect backoff
      if (this.ui.log.lastElementChild?.textContent !== message) this.appendNote(message);
      this.socket?.close();
      return;
    }
    if (!id || !this.pending.has(id)) {
      this.appendNote(message);
      return;
    }
    if (frame.code === "too_long" || frame.code === "bad_frame") {
      // resending the same text would fail again: give it back to edit
      const item = this.pending.get(id);
      this.settle(id);
      this.bubbles.get(id)?.remove();
      if (frame.code === "too_long") {
        this.ui.input.value = item.text;
        this.checkLength();
      }
      this.appendNote(message);
      return;
    }
    // bot_unavailable, rate_limited and anything new: keep the message to send again
    this.setBubbleStatus(id, "failed", message);
  }

  // --- rendering

  appendMessages(messages, { reply = false } = {}) {
    const { log } = this.ui;
    this.ui.empty.remove();
    const typing = this.typing;
    let first = null;
    for (const message of groupMessages(messages)) {
      this.followAdvisor(message);
      const el = this.renderMessage(message);
      if (!el) continue;
      first = first || el;
      if (typing && typing.isConnected) log.insertBefore(el, typing);
      else log.append(el);
    }
    this.updateQuickReplies();
    this.ui.human.hidden = !this.human;
    this.ui.download.hidden = !log.querySelector(".message");
    if (first) scrollIntoLog(log, first, reply);
  }

  /** An advisor's takeover or reply means a person answers until their hand-back message. */
  followAdvisor(message) {
    if (message.from !== "advisor" || !message.kind) return;
    this.human = message.kind !== "handback";
    if (this.human) this.hideTyping();
  }

  renderMessage(message) {
    const from = ["user", "bot", "advisor"].includes(message.from) ? message.from : "bot";
    const speaker = { user: "you", bot: "bot", advisor: "advisor" }[from];
    const named = from === "advisor" && typeof message.advisor === "string" && message.advisor;
    // a named advisor is shown by name; the others are told apart by colour, and by a label
    // for screen readers
    const label = named
      ? h("p", { class: "message-author", text: t(this.lang, "advisorNamed", { name: named }) })
      : h("span", { class: "visually-hidden", text: `${t(this.lang, speaker)}: ` });
    const el = h("div", { class: `message message-${from}`, "data-from": from }, label);
    const card = message.custom ? renderCustom(message.custom, message.text, this.lang) : null;
    if (card) {
      el.classList.add("message-card");
      el.append(card);
    } else if (message.text) {
      const text = from === "user" ? this.founderWords(message) : message.text;
      el.append(h("div", { class: "bubble" }, ...richText(text)));
    } else if (!(message.buttons || []).length) {
      return null; // nothing a founder could read
    }
    if (message.buttons?.length) el.append(this.quickReplies(message.buttons));
    if (from === "user" && message.id) {
      el.dataset.id = message.id;
      el.append(h("p", { class: "message-status" }));
      this.bubbles.set(message.id, el);
    }
    return el;
  }

  /** What the founder sees of their message: a button's title, not its payload. The history
   * gives titles for the bot's buttons; the chat's own (language, start over) are named here. */
  founderWords(message) {
    if (message.display) return message.display;
    const text = String(message.text || "");
    const language = LANGUAGES.find((lang) => text === switchLanguagePayload(lang));
    if (language) return STRINGS[language].languageName;
    if (text === START_OVER) return t(this.lang, "startOver");
    return text;
  }

  quickReplies(buttons) {
    return h(
      "div",
      { class: "quick-replies", role: "group", "aria-label": t(this.lang, "quickReplies") },
      buttons.map((button) =>
        h("button", {
          type: "button",
          class: "quick-reply",
          text: button.title,
          onclick: (event) => {
            event.currentTarget.classList.add("chosen");
            this.send(button.payload, button.title);
            // the button is disabled now: a keyboard user (click without a pointer, detail 0)
            // continues in the input; a tap does not pop up a phone's keyboard
            if (event.detail === 0) this.ui.input.focus();
          },
        }),
      ),
    );
  }

  /** Only the buttons of the bot's latest reply (after the founder's last message) work. */
  updateQuickReplies() {
    const messages = [...this.ui.log.querySelectorAll(".message")];
    let live = true;
    for (const message of messages.reverse()) {
      if (message.dataset.from === "user") live = false;
      for (const button of message.querySelectorAll(".quick-reply")) button.disabled = !live;
    }
  }

  setBubbleStatus(id, state, text) {
    const bubble = this.bubbles.get(id);
    if (!bubble) return;
    const status = bubble.querySelector(".message-status");
    bubble.dataset.state = state || "";
    const labels = { sending: "sending", waiting: "waiting", failed: "failed" };
    status.replaceChildren();
    if (!state || state === "sent") return;
    status.append(text || t(this.lang, labels[state]));
    if (state === "failed") {
      status.append(
        " ",
        h("button", {
          type: "button",
          class: "retry-button",
          text: t(this.lang, "retry"),
          onclick: () => {
            const item = this.pending.get(id);
            if (item) this.transmit(item);
          },
        }),
      );
    }
  }

  appendNote(text) {
    this.ui.empty.remove();
    const note = h("p", { class: "note", text });
    if (this.typing?.isConnected) this.ui.log.insertBefore(note, this.typing);
    else this.ui.log.append(note);
    scrollIntoLog(this.ui.log, note, false);
  }

  showTyping() {
    if (this.typing?.isConnected) return;
    if (this.human) return; // the bot is paused: only the advisor answers, when they can
    this.typing = h(
      "div",
      { class: "typing", role: "img", "aria-label": t(this.lang, "typing") },
      h("span", { class: "dot" }),
      h("span", { class: "dot" }),
      h("span", { class: "dot" }),
    );
    this.ui.log.append(this.typing);
    scrollIntoLog(this.ui.log, this.typing, false);
  }

  hideTyping() {
    this.typing?.remove();
    this.typing = null;
  }
}

function userMessage(item) {
  return { from: "user", text: item.display || item.text, id: item.id };
}

/** Pending ids that the history shows as answered: by id where the history carries ids, else
 * the founder's last message in the history when its words are a pending message's. */
function answeredIds(messages, pending) {
  const ids = new Set();
  const lastUser = messages.map((m) => m.from).lastIndexOf("user");
  if (lastUser < 0 || lastUser === messages.length - 1) return ids;
  messages.slice(0, lastUser + 1).forEach((message, index) => {
    if (message.from !== "user") return;
    if (message.id && pending.has(message.id)) ids.add(message.id);
    if (index === lastUser && !message.id) {
      for (const item of pending.values()) {
        if ((item.display || item.text) === message.text) ids.add(item.id);
      }
    }
  });
  return ids;
}

/** The server's wording, unless it looks like something a founder should never see. */
function politeMessage(message, lang) {
  const text = typeof message === "string" ? message.trim() : "";
  if (!text || text.length > 400 || /Traceback|Exception|\bat [\w.]+\(|File "/.test(text)) {
    return t(lang, "genericError");
  }
  return text;
}

/** Show the start of a long reply (a card) rather than its end; otherwise follow the bottom. */
function scrollIntoLog(log, first, reply) {
  const tail = log.scrollHeight - log.clientHeight;
  const start = first.offsetTop - 8;
  log.scrollTop = reply && start < tail ? start : tail;
}

function loadPending() {
  try {
    const items = JSON.parse(storage.get("sessionStorage", PENDING_KEY) || "[]");
    return Array.isArray(items) ? items.filter((item) => item && item.id && typeof item.text === "string") : [];
  } catch {
    return [];
  }
}

function savePending(pending) {
  storage.set("sessionStorage", PENDING_KEY, JSON.stringify([...pending.values()]));
}
