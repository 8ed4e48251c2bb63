import { matches, type Detection, type Finder } from './detect-structured';

/**
 * Finders for entities written in words: street addresses (English, German/Dutch/Nordic,
 * French, Spanish/Italian/Portuguese shapes) and dates of birth (a date the sentence says is a
 * birth date, in several languages). Person names live in detect-person.ts.
 */

// ---- street addresses -----------------------------------------------------------------------

// Quantifiers are bounded throughout (see detect-structured.ts): long runs must stay linear.
const CAP = "\\p{Lu}[\\p{L}\\p{M}'’.-]{0,40}";
const EN_SUFFIX =
  'Street|St|Avenue|Ave|Road|Rd|Boulevard|Blvd|Lane|Ln|Drive|Dr|Court|Ct|Way|Place|Pl|Terrace|Ter|Parkway|Pkwy|Highway|Hwy|Circle|Cir|Square|Sq|Crescent|Cres|Close|Trail|Row|Alley|Grove|Gardens|Mews|Hill|Park';
const UNIT = "(?:,?\\s+(?:Apt|Apartment|Suite|Ste|Unit|Flat|Floor|Fl|#)\\.?\\s*#?\\s*[A-Za-z0-9-]{1,6})?";
// `, Springfield, IL 62704` or `, London SW1A 2AA` or `, 10115 Berlin`.
// City words have lower-case letters, so a postcode (NW1 6XE, IL 62704) is not taken for one.
const CITY_WORD = "\\p{Lu}\\p{Ll}[\\p{L}'’.-]{0,40}";
const CITY_TAIL =
  `(?:,\\s*(?:${CITY_WORD}(?:\\s+${CITY_WORD}){0,2}))?(?:,?\\s+(?:[A-Z]{2}\\s+\\d{5}(?:-\\d{4})?|[A-Z]{1,2}\\d[A-Z\\d]?\\s+\\d[A-Z]{2}))?`;
const EU_CITY_TAIL = "(?:,\\s{0,3}(?:[A-Z]{1,2}-)?\\d{4,5}\\s{1,3}\\p{Lu}[\\p{L}'’-]{1,40}(?:\\s{1,3}\\p{Lu}[\\p{L}'’-]{1,40})?)?";

// Each shape with the cheap test its text must pass first (a street word), so prose without
// addresses costs a few keyword scans rather than five Unicode-heavy patterns.
const ADDRESS_SHAPES: readonly (readonly [gate: RegExp, shape: RegExp])[] = [
  // 221B Baker Street, London NW1 6XE / 1600 Pennsylvania Ave NW, Washington, DC 20500
  [new RegExp(`\\b(?:${EN_SUFFIX})\\b`), new RegExp(
    `(?<![\\w-])\\d{1,6}[A-Za-z]?\\s+(?:(?:N|S|E|W|North|South|East|West)\\.?\\s+)?(?:${CAP}\\s+){0,3}${CAP}\\s+(?:${EN_SUFFIX})\\b\\.?(?:\\s+(?:NW|NE|SW|SE))?${UNIT}${CITY_TAIL}`,
    'gu',
  )],
  // Hauptstraße 12, 10115 Berlin / Keizersgracht 123 / Storgatan 5
  [/(?:straße|strasse|str\.|weg|allee|gasse|platz|ring|damm|ufer|gracht|laan|straat|plein|steeg|kade|dijk|vej|gade|gatan|gata|vägen|veien|veg)\s+\d|(?:Am|An der|Auf der|Im|In der|Unter den)\s/, new RegExp(
    `(?<![\\w-])(?:\\p{Lu}[\\p{L}-]{0,40}(?:straße|strasse|str\\.|weg|allee|gasse|platz|ring|damm|ufer|gracht|laan|straat|plein|steeg|kade|dijk|vej|gade|gatan|gata|vägen|veien|veg)|(?:Am|An der|Auf der|Im|In der|Unter den)\\s+\\p{Lu}[\\p{L}-]{1,40})\\s+\\d{1,4}\\s?[a-z]?\\b${EU_CITY_TAIL}`,
    'gu',
  )],
  // 12 rue de la Paix, 75002 Paris / 8, avenue des Champs-Élysées
  [/\b(?:rue|avenue|av\.|boulevard|bd|place|chemin|allée|impasse|quai|route|cours|passage)\s/i, new RegExp(
    `(?<![\\w-])\\d{1,4}(?:\\s?(?:bis|ter))?,?\\s+(?:rue|avenue|av\\.|boulevard|bd|place|chemin|allée|impasse|quai|route|cours|passage)\\s+(?:(?:de la|de l'|de l’|du|des|de|d'|d’|la|le|l'|l’)\\s*)?${CAP}(?:[\\s-]+(?:(?:de la|du|des|de|la|le)\\s+)?${CAP}){0,3}${EU_CITY_TAIL}`,
    'giu',
  )],
  // Calle Mayor 10, 28013 Madrid / Via Roma 15 / Rua Augusta, 274
  [/(?:Calle|C\/|Avenida|Avda|Paseo|Plaza|Carrer|Camino|Via|Viale|Piazza|Corso|Vicolo|Rua|Travessa|Largo|Praça)\s/, new RegExp(
    `(?<![\\w-])(?:Calle|C\\/|Avenida|Avda\\.?|Paseo|Plaza|Carrer|Camino|Via|Viale|Piazza|Corso|Vicolo|Rua|Travessa|Largo|Praça)\\s+(?:(?:de la|de los|de las|del|de|dos|das|da|do|di|della|dei|delle)\\s+)?${CAP}(?:\\s+(?:(?:de la|del|de|da|do|di|della)\\s+)?${CAP}){0,3},?\\s+(?:n[º°o.]\\s*)?\\d{1,4}[A-Za-z]?${EU_CITY_TAIL}`,
    'gu',
  )],
  [/box/i, /\bP\.?\s?O\.?\s+Box\s+\d{1,6}\b/gi],
];

export const findAddresses: Finder = (text, out) => {
  if (!/\d/.test(text)) return;
  for (const [gate, shape] of ADDRESS_SHAPES) {
    if (!gate.test(text)) continue;
    for (const m of matches(shape, text)) {
      const value = m[0].replace(/[\s,.]+$/, (tail) => (tail.startsWith('.') && /\b(?:St|Ave|Rd|Blvd|Ln|Dr)\.$/.test(m[0]) ? '.' : ''));
      out.push({ type: 'STREET_ADDRESS', start: m.index, end: m.index + value.length });
    }
  }
};

// ---- dates of birth -------------------------------------------------------------------------

const MONTHS =
  'jan(?:uary|uar|vier)?|feb(?:ruary|ruar)?|f[ée]v(?:rier)?|mar(?:ch|s)?|m[äa]rz|apr(?:il)?|avr(?:il)?|may|mai|jun(?:e|i)?|juin|jul(?:y|i)?|juil(?:let)?|aug(?:ust)?|ao[ûu]t|sep(?:t(?:ember)?)?|oct(?:ober)?|okt(?:ober)?|nov(?:ember)?|dec(?:ember)?|dez(?:ember)?|d[ée]c(?:embre)?|enero|febrero|marzo|abril|mayo|junio|julio|agosto|septiembre|octubre|noviembre|diciembre|gennaio|febbraio|aprile|maggio|giugno|luglio|settembre|ottobre|dicembre|janeiro|fevereiro|março|maio|junho|julho|setembro|outubro|novembro|dezembro';
const DATE =
  `(?:\\d{4}-\\d{2}-\\d{2}|\\d{1,2}[./-]\\d{1,2}[./-](?:\\d{4}|\\d{2})|\\d{1,2}(?:st|nd|rd|th|er|º)?\\.?\\s+(?:of\\s+|de\\s+)?(?:${MONTHS})\\.?,?\\s+(?:de\\s+)?\\d{4}|(?:${MONTHS})\\.?\\s+\\d{1,2}(?:st|nd|rd|th)?,?\\s+\\d{4})`;
const DOB_CUE =
  "(?:born(?:\\s+on)?|date of birth|birth\\s?date|birthday|d\\.?o\\.?b\\.?|geboren(?:\\s+am)?|geburtsdatum|geb\\.|n[ée]e?\\s+le|date de naissance|fecha de nacimiento|nacid[oa](?:\\s+el)?|nat[oa]\\s+il|data di nascita|geboortedatum|geboren op|data de nascimento|nascid[oa]\\s+em|f[öo]dd)";
// The cue, then the date: `born on 12 March 1985`, `"dob": "1985-03-12"`, `Fecha de nacimiento: 18/04/1945`.
const DOB_RE = new RegExp(`\\b${DOB_CUE}(?:["']?\\s*[:=\\-–]\\s*["']?|\\s+(?:is|was|on|am|el|le|il|em)?\\s*)(?:the\\s+)?(${DATE})`, 'dgiu');
// The date, then the cue: `Ich bin am 8. Juli 1985 geboren`.
const DOB_AFTER_RE = new RegExp(`(${DATE})\\s+(?:geboren|born)\\b`, 'dgiu');
const DOB_GATE_RE = /born|birth|d\.?o\.?b|geb|naiss|n[ée]e? le|nacid|nacimiento|nat[oa] il|nascita|nascid|geboorte|f[öo]dd/i;

export const findDatesOfBirth: Finder = (text, out) => {
  if (!DOB_GATE_RE.test(text)) return;
  for (const re of [DOB_RE, DOB_AFTER_RE]) {
    for (const m of matches(re, text)) {
      const at = m.indices?.[1];
      if (at) out.push({ type: 'DATE_OF_BIRTH', start: at[0], end: at[1] });
    }
  }
};

export type { Detection };
