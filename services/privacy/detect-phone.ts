// The `min` metadata validates by each country's number pattern and lengths: 3× faster than
// `max` (which also checks number types), and types are not needed to call a run of digits a phone.
import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js/min';
import { matches, type Finder } from './detect-structured';

/**
 * Phone numbers: a digit run is one when libphonenumber's per-country rules accept it with its
 * country code, in the US format, or in a sentence that says it is a phone number; or, whatever
 * libphonenumber says, when it comes right after the writer says it is their number.
 */

// A run of digits with the separators people write, optionally starting with + or 00.
const PHONE_RE = /(?<![\w+])(?:\+|00)?\(?\d[\d ().\-/\u00a0]{5,22}\d(?![\w])/g;
// Words that say the next digits are a phone number; generic ones ("number", "#") would send every
// order number through libphonenumber for a dozen countries.
const PHONE_WORDS =
  'phone|(?<![a-z\u00c0-\u024f])tel(?![a-z\u00c0-\u024f])|call|mobile|cell|whats ?app|sms|text me|fax|hotline|telefon|handy|mobil|t[ée]l[ée]phone|portable|tel[ée]fono|m[óo]vil|cellulare|telefoon|bel mij|ligar|llame|appelez|anrufen|rufen';
const PHONE_CONTEXT_RE = new RegExp(`(?:${PHONE_WORDS})[^\\n]{0,24}$`, 'i');
const PHONE_WORD_RE = new RegExp(PHONE_WORDS, 'i');
// "call me back about order 12345678", "Telefonat wegen Rechnung 4471 2289": a word naming another
// kind of number stands between the phone word and the digits, so the digits are that number.
const OTHER_NUMBER_RE =
  /\b(order|invoice|ticket|case|ref|reference|booking|account|customer|tracking|parcel|serial|contract|policy|pedido|factura|referencia|commande|facture|dossier|bestellung|bestellnummer|auftrag|auftragsnummer|rechnung|rechnungsnummer|kundennummer|vorgang|vorgangsnummer|ordine|fattura|pratica|encomenda|fatura|bestelling|factuur)\b[^\n]{0,24}$/i;
// Shapes that are never phone numbers however valid their digits: dates and dotted quads, and a
// date with the hour after it ("14.03.2025 10" of "14.03.2025 10:30").
const NOT_PHONE_RE = /^(?:\d{1,4}[./-]\d{1,2}[./-]\d{1,4}|\d{1,3}(?:\.\d{1,3}){3})$/;
const DATE_FIRST_RE = /^(?:\d{4}[./-]\d{1,2}[./-]\d{1,2}|\d{1,2}[./-]\d{1,2}[./-](?:\d{4}|\d{2}))\s/;

/**
 * Words right before a number that say it is someone's phone number, in the languages the corpus
 * speaks ("call me back at", "my number is", "Tel.:", `"phone": "`, "Rufen Sie mich unter",
 * "mon numéro est le", "llámame al", "il mio numero è", "meu número é", "bel mij op"). Only
 * connectors stand between them and the digits: a cue further back ("call me about order …")
 * is the looser context above. Tested on the 40 characters before a candidate, so bounded.
 */
const PHONE_CUES = [
  '(?:call|ring|contact|whats ?app|sms)(?:\\s{1,3}(?:me|us))?(?:\\s{1,3}back)?(?:\\s{1,3}(?:at|on))?',
  '(?:text|reach)\\s{1,3}(?:me|us)(?:\\s{1,3}back)?(?:\\s{1,3}(?:at|on))?',
  '(?:my|our|his|her|their)\\s{1,3}(?:(?:phone|mobile|cell|home|work|direct|new|landline)\\s{1,3})?(?:number|no\\.?|#)(?:\\s{1,3}is)?',
  '(?:phone|telephone|tel\\.?|mobile|cell|fax|whats ?app)(?:\\s{1,3}(?:number|no\\.?|#))?(?:\\s{1,3}is)?',
  '(?:telefon(?:nummer)?|handy(?:nummer)?|mobil(?:nummer|telefon)?|rufnummer|festnetz(?:nummer)?|durchwahl)(?:\\s{1,3}(?:ist|lautet))?',
  '(?:meine|unsere|seine|ihre)\\s{1,3}(?:telefon|handy|mobil)?nummer(?:\\s{1,3}(?:ist|lautet))?',
  '(?:mich|uns|erreichbar|erreichen|anrufen|zurückrufen|rückruf)(?:\\s{1,3}(?:bitte|jederzeit|gerne|tagsüber))?\\s{1,3}unter',
  '(?:t[ée]l[ée]phone|t[ée]l|portable|fixe)',
  '(?:mon|notre|son)\\s{1,3}(?:num[ée]ro|portable|t[ée]l[ée]phone|fixe)(?:\\s{1,3}de\\s{1,3}(?:t[ée]l[ée]phone|portable|mobile))?(?:\\s{1,3}est)?(?:\\s{1,3}le)?',
  '(?:appelez|appelle|rappelez|rappelle|joindre|contactez|joignable)(?:[-\\s]{1,3}(?:moi|nous))?\\s{1,3}au',
  '(?:tel[ée]fono|m[óo]vil|celular)',
  '(?:mi|nuestro|su)\\s{1,3}(?:n[úu]mero|tel[ée]fono|m[óo]vil|celular)(?:\\s{1,3}de\\s{1,3}(?:tel[ée]fono|m[óo]vil|celular))?(?:\\s{1,3}es)?',
  'll[áa]m[a-zé]{0,6}\\s{1,3}al',
  '(?:telefono|cellulare)',
  "(?:mio|nostro|suo)\\s{1,3}(?:numero|cellulare|telefono)(?:\\s{1,3}di\\s{1,3}(?:telefono|cellulare))?(?:\\s{1,3}(?:è|e'))?",
  '(?:ri)?chiam[a-z]{0,6}\\s{1,3}al',
  '(?:telefone|telem[óo]vel)',
  '(?:meu|nosso|seu)\\s{1,3}(?:n[úu]mero|telefone|celular|telem[óo]vel)(?:\\s{1,3}de\\s{1,3}(?:telefone|celular))?(?:\\s{1,3}[ée])?',
  'lig(?:ue|a|ar)(?:-me)?\\s{1,3}(?:para|pro|ao)',
  '(?:telefoon(?:nummer)?|mobiel|gsm)(?:\\s{1,3}is)?',
  '(?:mijn|ons|zijn|haar)\\s{1,3}(?:telefoon|mobiele\\s{1,3})?nummer(?:\\s{1,3}is)?',
  'bel\\s{1,3}(?:mij|me|ons)(?:\\s{1,3}(?:terug\\s{1,3})?op)?',
];
// Matched against lower-cased text, and a hand-written letter class rather than `\b` (which takes
// é, ô or ü for a word's edge: "hôtel" would end in a cue) or the slower `u` and `i` flags.
const PHONE_CUE_RE = new RegExp(`(?<![a-z0-9_\u00df-\u024f])(?:${PHONE_CUES.join('|')})\\.?["']?\\s{0,3}[:=]?\\s{0,3}["']?$`);

/**
 * Grouped the way phone numbers are written: one run of digits, or groups of at most 8 digits
 * between single separators (an area code may sit in parentheses).
 */
function groupedLikePhone(candidate: string): boolean {
  const groups = candidate.replace(/^\+/, '').replace(/[()]/g, ' ').trim().split(/[ .\-/\u00a0]{1,3}/);
  return groups.length === 1 || groups.every((g) => g.length >= 1 && g.length <= 8);
}

/** Regions whose national numbers (no + prefix) are tried when the text says it is a phone number. */
const NATIONAL_REGIONS: readonly CountryCode[] = ['US', 'GB', 'DE', 'FR', 'ES', 'IT', 'NL', 'IN', 'AU', 'BR', 'MX', 'JP', 'CH', 'AT', 'BE', 'SE', 'PL', 'IE'];
const US_FORMAT_RE = /^\(?\d{3}\)?[ .-]\d{3}[ .-]\d{4}$/;

function digitsIn(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 48 && c <= 57) n++;
  }
  return n;
}

/**
 * libphonenumber's answers, by candidate: parsing costs 10–50 µs, and the same numbers come back
 * all the time (a chat request carries the whole conversation, so a number given in turn 2 is
 * screened again in every later turn). Bounded; cleared whole when full.
 */
const phoneVerdicts = new Map<string, boolean>();
const MAX_VERDICTS = 50_000;

/** Forgets memoised verdicts (benchmarks measure cold passes with it). */
export function clearDetectorCaches(): void {
  phoneVerdicts.clear();
}

function validPhone(candidate: string, before: string): boolean {
  const digits = digitsIn(candidate);
  if (digits < 7 || digits > 15 || NOT_PHONE_RE.test(candidate) || DATE_FIRST_RE.test(candidate)) return false;
  if (checkedPhone(candidate, before)) return true;
  // Right after "call me back at" or "my number is" the digits are a phone number even when
  // libphonenumber rejects them for their country (an exchange code starting with 0, an
  // unassigned prefix, a digit too few): the writer says what they are, and a number given
  // wrongly is still theirs to protect. (Asked second: most numbers pass the check, and the cue
  // pattern is the dearer test.)
  return PHONE_CUE_RE.test(before.toLowerCase()) && groupedLikePhone(candidate);
}

/** libphonenumber's verdict, with the country code or a phone word in the sentence. */
function checkedPhone(candidate: string, before: string): boolean {
  const international = candidate.startsWith('+') || candidate.startsWith('00');
  const context = !international && phoneContext(before);
  const key = context ? `c${candidate}` : candidate;
  const known = phoneVerdicts.get(key);
  if (known !== undefined) return known;
  const verdict = phoneVerdict(candidate, international, context);
  if (phoneVerdicts.size >= MAX_VERDICTS) phoneVerdicts.clear();
  phoneVerdicts.set(key, verdict);
  return verdict;
}

/** A phone word in the 24 characters before, and no other kind of number named after it. */
function phoneContext(before: string): boolean {
  if (!PHONE_CONTEXT_RE.test(before)) return false;
  const other = OTHER_NUMBER_RE.exec(before);
  return other === null || PHONE_WORD_RE.test(before.slice(other.index + (other[1] ?? '').length));
}

function phoneVerdict(candidate: string, international: boolean, context: boolean): boolean {
  if (international) {
    const international = candidate.startsWith('00') ? `+${candidate.slice(2)}` : candidate;
    return parsePhoneNumberFromString(international)?.isValid() ?? false;
  }
  // Without a country code a digit run is a phone number only in a shape or a sentence that says so.
  if (US_FORMAT_RE.test(candidate) && (parsePhoneNumberFromString(candidate, 'US')?.isValid() ?? false)) return true;
  if (!context) return false;
  return NATIONAL_REGIONS.some((region) => parsePhoneNumberFromString(candidate, region)?.isValid() ?? false);
}

export const findPhones: Finder = (text, out) => {
  for (const m of matches(PHONE_RE, text)) {
    let candidate = m[0];
    let start = m.index;
    // An opening parenthesis belongs to the number only when it closes inside it.
    if (candidate.startsWith('(') && !candidate.includes(')')) {
      candidate = candidate.slice(1);
      start += 1;
    }
    candidate = candidate.replace(/[\s(.\-/]+$/, '');
    const before = text.slice(Math.max(0, start - 40), start);
    if (validPhone(candidate, before)) out.push({ type: 'PHONE', start, end: start + candidate.length });
  }
};
