// Numbers, in the language of what they describe (sv: 1 400 kr, 1,8; en: SEK 1,400, 1.8)

import { STRINGS, t } from "./i18n.js";

export function numberFormat(lang, digits = 0) {
  return new Intl.NumberFormat(STRINGS[lang].locale, { maximumFractionDigits: digits });
}

export function sek(lang, value) {
  return currency(lang).format(estimate(value));
}

export function sekRange(lang, range) {
  if (!Array.isArray(range) || range[0] === range[1]) return null;
  const [lo, hi] = range.map(estimate);
  const format = currency(lang);
  return format.formatRange ? format.formatRange(lo, hi) : `${format.format(lo)}–${format.format(hi)}`;
}

function currency(lang) {
  return new Intl.NumberFormat(STRINGS[lang].locale, {
    style: "currency",
    currency: "SEK",
    minimumFractionDigits: 0,
    maximumFractionDigits: 2,
  });
}

export function numberRange(lang, range, digits = 0) {
  const format = numberFormat(lang, digits);
  if (range[0] === range[1]) return format.format(range[0]);
  return `${format.format(range[0])}–${format.format(range[1])}`;
}

export function units(lang, value) {
  return `${numberFormat(lang).format(value)} ${t(lang, "units")}`;
}

/** Two significant figures, as the bot's own text rounds: estimates should not look precise
 * (813 → 810 kr, 7 350 → 7 400 kr, 17.7 → 18 kr). */
function estimate(value) {
  if (!Number.isFinite(value) || value === 0) return value || 0;
  return Number(value.toPrecision(2));
}

export function niceVolume(value) {
  return Math.max(1, Number(value.toPrecision(2)));
}
