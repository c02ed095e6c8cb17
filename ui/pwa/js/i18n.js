// Danish and English in the phone app. Text in the code is English, marked with _() and
// ngettext() for `make messages`; the Danish comes from the gettext catalog
// ui/locale/da/LC_MESSAGES/app.po, served as /app/i18n/da.json and kept by the service
// worker, so the app speaks Danish offline too. Placeholders are written %(name)s, as in the
// portal's catalog. Dates and numbers go through Intl in the chosen language.
// NOTE: the external sender's page (ui/link/link.js) imports this module too, with its own
// catalog (link.po at /x-assets/i18n/da.json).

const LANGUAGES = ["da", "en"];
const DEFAULT = "en";
const state = { language: null, messages: {}, plurals: {} };

// The member's choice (kept on their user row), else the first browser language we speak,
// matched on the whole primary subtag ("da", "da-DK"; not "dav"). navigator.languages comes
// in the order of preference, without weights.
export function chooseLanguage(preference, browserLanguages = navigator.languages || [navigator.language]) {
  if (LANGUAGES.includes(preference)) return preference;
  for (const tag of browserLanguages.slice(0, 20)) {
    const primary = String(tag || "").split("-")[0].toLowerCase();
    if (LANGUAGES.includes(primary)) return primary;
  }
  return DEFAULT;
}

export function currentLanguage() { return state.language || DEFAULT; }

// Null until the page has chosen (in the service worker the browser's own header applies).
export function chosenLanguage() { return state.language; }

const APP_CATALOG = (language) => `/app/i18n/${language}.json`;

async function fetchCatalog(url) {
  const response = await fetch(url, { credentials: "same-origin" });
  if (!response.ok) throw new Error(`no catalog at ${url}`);
  return response.json();
}

// Speaks `language` from now on and translates the page's marked elements; English when the
// catalog cannot be had (offline before the service worker kept it).
export async function useLanguage(language, catalogUrl = APP_CATALOG) {
  let catalog = { messages: {}, plurals: {} };
  if (language !== DEFAULT) {
    try {
      catalog = await fetchCatalog(catalogUrl(language));
    } catch {
      language = DEFAULT;
    }
  }
  Object.assign(state, { language, messages: catalog.messages, plurals: catalog.plurals });
  document.documentElement.lang = language;
  for (const element of document.querySelectorAll("[data-i18n]")) {
    if (!element.dataset.i18n) element.dataset.i18n = element.textContent.trim().replace(/\s+/g, " ");
    element.textContent = _(element.dataset.i18n);
  }
  return language;
}

export function formatNumber(number, options) {
  return number.toLocaleString(currentLanguage(), options);
}

export function formatMoment(moment) {
  return moment.toLocaleString(currentLanguage(), { dateStyle: "medium", timeStyle: "short" });
}

function fill(text, values) {
  if (!values) return text;
  return text.replace(/%\((\w+)\)s/g, (whole, name) => {
    if (!(name in values)) return whole;
    const value = values[name];
    return typeof value === "number" ? formatNumber(value) : String(value);
  });
}

export function _(message, values) {
  return fill(state.messages[message] || message, values);
}

// Danish, like English, uses the first form for exactly one and the second for any other count.
export function ngettext(singular, plural, count, values) {
  const forms = state.plurals[singular] || [singular, plural];
  return fill(forms[count === 1 ? 0 : 1], { count, ...values });
}
