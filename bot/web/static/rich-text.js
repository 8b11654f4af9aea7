// Message text as paragraphs, lists and links: built from DOM nodes, never parsed as HTML.

import { h } from "./dom.js";
import { t } from "./i18n.js";

const URL_PATTERN = /(https?:\/\/[^\s)]+[^\s).,;:!?])/g;

/** Text as paragraphs and lists ("- " lines), with web addresses as links. */
export function richText(text) {
  const blocks = [];
  let list = null;
  for (const line of String(text || "").split("\n")) {
    const item = line.match(/^\s*[-•]\s+(.*)$/);
    if (item) {
      if (!list) blocks.push((list = h("ul")));
      list.append(h("li", {}, ...linkify(item[1])));
    } else if (line.trim()) {
      list = null;
      blocks.push(h("p", {}, ...linkify(line)));
    } else {
      list = null;
    }
  }
  return blocks;
}

export function linkify(text) {
  const parts = [];
  let last = 0;
  for (const match of text.matchAll(URL_PATTERN)) {
    parts.push(text.slice(last, match.index));
    parts.push(externalLink(match[1], match[1]));
    last = match.index + match[1].length;
  }
  parts.push(text.slice(last));
  return parts.filter((part) => part !== "");
}

export function externalLink(href, label, lang) {
  const link = h("a", { href, target: "_blank", rel: "noopener noreferrer" }, label);
  if (lang) link.append(h("span", { class: "visually-hidden", text: ` ${t(lang, "opensNewTab")}` }));
  return link;
}
