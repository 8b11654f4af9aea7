// The cards for the bot's `custom` payloads: the recommendation (path, processes with their cost
// chart, manufacturers, next steps, support) and the next page of manufacturers ("show more").

import { costChart } from "./chart.js";
import { h, uniqueId } from "./dom.js";
import { niceVolume, numberFormat, numberRange, sek, sekRange } from "./format.js";
import { LANGUAGES, STRINGS, t } from "./i18n.js";
import { externalLink, linkify, richText } from "./rich-text.js";

export function renderCustom(custom, text, uiLang) {
  const lang = LANGUAGES.includes(custom.language) ? custom.language : uiLang;
  if (custom.type === "recommendation") return recommendationCard(custom, text, lang);
  if (custom.type === "manufacturers") return manufacturersCard(custom, text, lang);
  return null;
}

function recommendationCard(payload, text, lang) {
  const headingId = uniqueId("card");
  const path = STRINGS[lang].paths[payload.path] || payload.path;
  const card = h(
    "article",
    { class: "card recommendation", "aria-labelledby": headingId },
    h("p", { class: "card-kicker", text: t(lang, "recommendation") }),
    h("h3", { id: headingId, class: "card-title", text: path }),
  );
  if (payload.reasons?.length) card.append(list("ul", payload.reasons, "card-reasons"));
  if (payload.assumptions?.length) {
    card.append(
      h(
        "details",
        { class: "assumptions" },
        h("summary", { text: t(lang, "assumptions") }),
        list("ul", payload.assumptions),
      ),
    );
  }
  if (payload.processes?.length) card.append(processSection(payload, lang));
  card.append(manufacturerSection(payload, lang));
  if (payload.next_steps?.length) {
    card.append(section(t(lang, "nextSteps"), list("ol", payload.next_steps, "next-steps")));
  }
  if (payload.support?.length) card.append(section(t(lang, "support"), supportList(payload.support, lang)));
  if (text) card.append(plainTextDetails(text, lang));
  return card;
}

function manufacturersCard(payload, text, lang) {
  const firms = payload.manufacturers || [];
  const from = (payload.offset || 0) + 1;
  const headingId = uniqueId("card");
  const card = h(
    "article",
    { class: "card manufacturers", "aria-labelledby": headingId },
    h("h3", {
      id: headingId,
      class: "card-title",
      text: t(lang, "moreManufacturers", { from, to: from + firms.length - 1 }),
    }),
  );
  if (firms.length) {
    if (firms.some((firm) => firm.sample_data)) card.append(sampleNote(lang));
    card.append(firmList(firms, lang));
  } else {
    card.append(...richText(text));
    return card;
  }
  if (text) card.append(plainTextDetails(text, lang));
  return card;
}

function section(title, ...content) {
  return h("section", { class: "card-section" }, h("h4", { text: title }), ...content);
}

function list(tag, items, className) {
  return h(tag, { class: className }, items.map((item) => h("li", {}, ...linkify(String(item)))));
}

function plainTextDetails(text, lang) {
  return h(
    "details",
    { class: "plain-text" },
    h("summary", { text: t(lang, "plainText") }),
    ...richText(text),
  );
}

function processSection(payload, lang) {
  const options = payload.processes;
  const labels = Object.fromEntries(options.map((o) => [o.process, o.label || o.process]));
  return section(
    t(lang, "processes"),
    costChart(options, payload.profile || {}, lang),
    h("ol", { class: "options" }, options.map((option) => processOption(option, labels, lang))),
  );
}

function processOption(option, labels, lang) {
  const fits = option.fits_tolerance !== false;
  const facts = [
    [t(lang, "unitCost"), withRange(sek(lang, option.unit_cost_sek), sekRange(lang, option.unit_cost_sek_range))],
    [
      t(lang, "tooling"),
      option.tooling_sek
        ? withRange(sek(lang, option.tooling_sek), sekRange(lang, option.tooling_sek_range))
        : t(lang, "noTooling"),
    ],
    [
      t(lang, "leadTime"),
      `${numberRange(lang, option.lead_time_weeks_range || [option.lead_time_weeks, option.lead_time_weeks], 1)} ${t(lang, "weeks")}`,
    ],
  ];
  const against = labels[option.break_even_against];
  if (option.break_even_units && against) {
    facts.push([
      t(lang, "breakEven", { other: against }),
      `${numberRange(lang, option.break_even_units.map(niceVolume))} ${t(lang, "unitsPerYear")}`,
    ]);
  }
  const item = h(
    "li",
    { class: "option" },
    h(
      "div",
      { class: "option-head" },
      h("h5", { class: "option-name", text: option.label || option.process }),
      h("span", {
        class: fits ? "badge badge-ok" : "badge badge-warn",
        text: `${fits ? "✓" : "✗"} ${t(lang, fits ? "fitsTolerance" : "missesTolerance")}`,
      }),
    ),
    h(
      "dl",
      { class: "facts" },
      facts.map(([term, value]) => h("div", {}, h("dt", { text: term }), h("dd", { text: value }))),
    ),
  );
  if (option.reasons?.length) {
    item.append(h("details", {}, h("summary", { text: t(lang, "why") }), list("ul", option.reasons)));
  }
  return item;
}

function withRange(value, range) {
  return range ? `${value} (${range})` : value;
}

function manufacturerSection(payload, lang) {
  const firms = payload.manufacturers || [];
  const content = [];
  if (firms.length) {
    if (firms.some((firm) => firm.sample_data)) content.push(sampleNote(lang));
    content.push(firmList(firms, lang));
    if (payload.manufacturers_total > firms.length) {
      content.push(
        h("p", {
          class: "shown-of",
          text: t(lang, "shownOf", {
            shown: firms.length,
            total: numberFormat(lang).format(payload.manufacturers_total),
          }),
        }),
      );
    }
  } else {
    content.push(h("p", { class: "no-match", text: t(lang, "noMatch") }));
    const noMatch = payload.no_match || {};
    if (noMatch.reason) content.push(h("p", { text: noMatch.reason }));
    if (noMatch.relaxations?.length) content.push(list("ul", noMatch.relaxations, "relaxations"));
  }
  return section(t(lang, "manufacturers"), ...content);
}

function sampleNote(lang) {
  return h("p", { class: "sample-note", text: t(lang, "sampleData") });
}

function firmList(firms, lang) {
  return h(
    "ol",
    { class: "firms" },
    firms.map((firm) => {
      const place = [firm.municipality, firm.county].filter(Boolean).join(", ");
      const meta = [place];
      if (typeof firm.score === "number") {
        meta.push(`${t(lang, "match")} ${Math.round(firm.score * 100)} %`);
      }
      const item = h(
        "li",
        { class: "firm" },
        h("p", { class: "firm-name", text: firm.name }),
        h("p", { class: "firm-meta", text: meta.filter(Boolean).join(" · ") }),
      );
      if (firm.reasons?.length) item.append(list("ul", firm.reasons, "firm-reasons"));
      if (firm.contact) item.append(h("p", { class: "firm-contact" }, `${t(lang, "contact")}: `, contactLink(firm.contact)));
      return item;
    }),
  );
}

function contactLink(contact) {
  const text = String(contact);
  if (/^[^\s@]+@[^\s@]+$/.test(text)) return h("a", { href: `mailto:${text}`, text });
  if (/^https?:\/\//.test(text)) return externalLink(text, text);
  return text;
}

function supportList(actors, lang) {
  return h(
    "ul",
    { class: "support" },
    actors.map((actor) => {
      const item = h("li", {});
      item.append(actor.url ? externalLink(actor.url, actor.name, lang) : h("strong", { text: actor.name }));
      if (actor.offer) item.append(`: ${actor.offer}`);
      return item;
    }),
  );
}
