import { isIPv6 } from 'node:net';
// The `min` metadata validates by each country's number pattern and lengths: 3× faster than
// `max` (which also checks number types), and types are not needed to call a run of digits a phone.
import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js/min';
import type { EntityType } from '../../events/catalogue/privacy';

/** A span of text the detector flagged, in UTF-16 code units of the scanned text. */
export interface Detection {
  readonly type: EntityType;
  readonly start: number;
  readonly end: number;
}

export type Finder = (text: string, out: Detection[]) => void;

/**
 * Every match of a global regex. Unlike `matchAll`, which copies the regex on every call, this
 * reuses it (resetting `lastIndex`): the finders run for every text on the write path.
 */
export function* matches(re: RegExp, text: string): Generator<RegExpExecArray> {
  re.lastIndex = 0;
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    yield m;
    if (m[0].length === 0) re.lastIndex++;
  }
}

/**
 * Finders for entities with a recognisable shape and, where one exists, a checksum: emails,
 * phones (libphonenumber's per-country rules), cards (Luhn and issuer prefixes), IBANs (country
 * length and mod-97), SSNs (the SSA's never-issued ranges), IP addresses and secrets. Each
 * starts with a cheap test (a character or literal the entity must contain) so clean text
 * costs a few scans, not a regex battery.
 */

// ---- email ----------------------------------------------------------------------------------

// Every quantifier here and below is bounded: an unbounded one before a required character makes
// a long run without it (a 200 KB base64 blob) quadratic, which would stall the write path.
// RFC 5321 caps the local part at 64 characters and a domain label at 63.
const EMAIL_RE = /[\p{L}\p{N}._%+-]{1,64}@(?:[\p{L}\p{N}-]{1,63}\.){1,8}\p{L}{2,24}/gu;

export const findEmails: Finder = (text, out) => {
  if (!text.includes('@')) return;
  for (const m of matches(EMAIL_RE, text)) {
    let start = m.index;
    let value = m[0];
    // A sentence may end right before the address ("write to.jo@x.org" is rare; "...:jo@" is not).
    while (value.startsWith('.')) {
      value = value.slice(1);
      start += 1;
    }
    out.push({ type: 'EMAIL', start, end: start + value.length });
  }
};

// ---- phone ----------------------------------------------------------------------------------

// A run of digits with the separators people write, optionally starting with + or 00.
const PHONE_RE = /(?<![\w+])(?:\+|00)?\(?\d[\d ().\-/\u00a0]{5,22}\d(?![\w])/g;
// Words that say the next digits are a phone number; generic ones ("number", "#") would send every
// order number through libphonenumber for a dozen countries.
const PHONE_CONTEXT_RE =
  /(?:phone|tel\b|tel\.|call|mobile|cell|whats ?app|sms|text me|fax|hotline|telefon|handy|mobil|t[ée]l[ée]phone|portable|tel[ée]fono|m[óo]vil|cellulare|telefoon|bel mij|ligar|llame|appelez|anrufen|rufen)[^\n]{0,24}$/i;
// Shapes that are never phone numbers however valid their digits: dates and dotted quads.
const NOT_PHONE_RE = /^(?:\d{1,4}[./-]\d{1,2}[./-]\d{1,4}|\d{1,3}(?:\.\d{1,3}){3})$/;
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
  if (digits < 7 || digits > 15 || NOT_PHONE_RE.test(candidate)) return false;
  const international = candidate.startsWith('+') || candidate.startsWith('00');
  const context = !international && PHONE_CONTEXT_RE.test(before);
  const key = context ? `c${candidate}` : candidate;
  const known = phoneVerdicts.get(key);
  if (known !== undefined) return known;
  const verdict = phoneVerdict(candidate, international, context);
  if (phoneVerdicts.size >= MAX_VERDICTS) phoneVerdicts.clear();
  phoneVerdicts.set(key, verdict);
  return verdict;
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

// ---- payment cards --------------------------------------------------------------------------

const CARD_RE = /(?<![\d.,-])\d(?:[ -]?\d){12,18}(?![\d])/g;
// Issuer ranges (Visa, Mastercard, Amex, Discover, Diners, JCB, UnionPay, Maestro): a Luhn-valid
// 16-digit order number is common, one that also starts like a card much less so.
const ISSUER_RE = /^(?:4|5[1-5]|2[2-7]|3[47]|3(?:0[0-5]|[68])|6(?:011|5|4[4-9]|2)|35|5[06-8]|6\d)/;

export function luhnValid(digits: string): boolean {
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 48;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return sum % 10 === 0;
}

export const findCards: Finder = (text, out) => {
  for (const m of matches(CARD_RE, text)) {
    const digits = m[0].replace(/[ -]/g, '');
    if (digits.length < 13 || digits.length > 19) continue;
    if (!ISSUER_RE.test(digits) || !luhnValid(digits)) continue;
    out.push({ type: 'CREDIT_CARD', start: m.index, end: m.index + m[0].length });
  }
};

// ---- IBAN -----------------------------------------------------------------------------------

const IBAN_RE = /\b[A-Z]{2}\d{2}(?:[ ]?[A-Z0-9]){10,30}/g;
// IBAN length per country, from the SWIFT IBAN registry (ISO 13616).
const IBAN_LENGTHS = new Map<string, number>(
  `
  AD24 AE23 AL28 AT20 AX18 AZ28 BA20 BE16 BG22 BH22 BR29 BY28 CH21 CR22 CY28 CZ24 DE22 DK18 DO28
  EE20 EG29 ES24 FI18 FO18 FR27 GB22 GE22 GF27 GI23 GL18 GP27 GR27 GT28 HR21 HU28 IE22 IL23 IQ23
  IS26 IT27 JO30 KW30 KZ20 LB28 LC32 LI21 LT20 LU20 LV21 LY25 MC27 MD24 ME22 MF27 MK19 MN20 MQ27
  MR27 MT31 MU30 NC27 NI28 NL18 NO15 OM23 PF27 PK24 PL28 PM27 PS29 PT25 QA29 RE27 RO24 RS22 RU33
  SA24 SC31 SD18 SE24 SI19 SK24 SM27 SO23 ST25 SV28 TF27 TL23 TN24 TR26 UA29 VA22 VG24 WF27 XK20
  YE30 YT27
`
    .split(/\s+/)
    .filter((entry) => entry !== '')
    .map((entry) => [entry.slice(0, 2), Number(entry.slice(2))] as const),
);

/** ISO 7064 mod 97-10: the check digits make the rearranged number ≡ 1 (mod 97). */
export function ibanChecksumValid(iban: string): boolean {
  const rearranged = iban.slice(4) + iban.slice(0, 4);
  let remainder = 0;
  for (const c of rearranged) {
    const code = c.charCodeAt(0);
    const value = code >= 65 ? code - 55 : code - 48;
    remainder = value >= 10 ? (remainder * 100 + value) % 97 : (remainder * 10 + value) % 97;
  }
  return remainder === 1;
}

const IBAN_GATE_RE = /[A-Z]{2}\d\d/;

export const findIbans: Finder = (text, out) => {
  if (!IBAN_GATE_RE.test(text)) return;
  for (const m of matches(IBAN_RE, text)) {
    const length = IBAN_LENGTHS.get(m[0].slice(0, 2));
    if (length === undefined) continue;
    // The pattern runs on into following capitals and digits; the country fixes the real length.
    let taken = 0;
    let end = m.index;
    let compact = '';
    for (let i = m.index; i < m.index + m[0].length && taken < length; i++) {
      const c = text[i] ?? '';
      if (c === ' ') continue;
      compact += c;
      taken++;
      end = i + 1;
    }
    if (taken === length && ibanChecksumValid(compact)) out.push({ type: 'IBAN', start: m.index, end });
  }
};

// ---- US SSN ---------------------------------------------------------------------------------

// Never issued: area 000, 666 and 900–999, group 00, serial 0000.
const SSN_RE = /(?<![\d-])(?!000|666|9\d\d)\d{3}([- ])(?!00)\d{2}\1(?!0000)\d{4}(?![\d-])/g;
const SSN_BARE_RE = /(?<!\d)(?!000|666|9\d\d)\d{3}(?!00)\d{2}(?!0000)\d{4}(?!\d)/g;
const SSN_CONTEXT_RE = /(?:ssn|social security|soc\.? sec)[^\n]{0,20}$/i;

export const findSsns: Finder = (text, out) => {
  for (const m of matches(SSN_RE, text)) out.push({ type: 'SSN', start: m.index, end: m.index + m[0].length });
  if (!/ssn|social sec|soc\.? sec/i.test(text)) return;
  for (const m of matches(SSN_BARE_RE, text)) {
    if (SSN_CONTEXT_RE.test(text.slice(Math.max(0, m.index - 40), m.index))) {
      out.push({ type: 'SSN', start: m.index, end: m.index + m[0].length });
    }
  }
};

// ---- IP addresses ---------------------------------------------------------------------------

const OCTET = '(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)';
const IPV4_RE = new RegExp(`(?<![\\d.])${OCTET}(?:\\.${OCTET}){3}(?![\\d]|\\.\\d)`, 'g');
// A dotted quad right after these words is a version number, not a host.
const VERSION_BEFORE_RE = /(?:\bv|version|ver\.?|release(?: of)?|deploy(?: of)?|build|firmware(?: to)?|oid|upgrade(?: to| from)?|update(?: to)?)["':=\s]*$/i;
const IPV6_RE = /(?<![\w:])(?:[0-9A-Fa-f]{1,4}:){1,7}(?::|(?::[0-9A-Fa-f]{1,4}){1,7}|[0-9A-Fa-f]{1,4})(?:(?<=:)(?:\d{1,3}\.){3}\d{1,3})?(?:%[\w.]+)?(?![\w:])|(?<![\w:])::(?:[0-9A-Fa-f]{1,4}:){0,6}[0-9A-Fa-f]{1,4}(?![\w:])/g;

export const findIps: Finder = (text, out) => {
  if (text.includes('.')) {
    for (const m of matches(IPV4_RE, text)) {
      if (VERSION_BEFORE_RE.test(text.slice(Math.max(0, m.index - 20), m.index))) continue;
      out.push({ type: 'IP_ADDRESS', start: m.index, end: m.index + m[0].length });
    }
  }
  if (!text.includes(':')) return;
  for (const m of matches(IPV6_RE, text)) {
    const value = m[0];
    // Times (12:30:45) and MAC addresses fail isIPv6; `::` alone or `a::b` in prose is too little to call an address.
    if (!isIPv6(value.split('%')[0] ?? '')) continue;
    if (digitsOrHex(value) < 4) continue;
    out.push({ type: 'IP_ADDRESS', start: m.index, end: m.index + value.length });
  }
};

function digitsOrHex(s: string): number {
  let n = 0;
  for (const c of s) if (c !== ':' && c !== '.' && c !== '%') n++;
  return n;
}

// ---- secrets --------------------------------------------------------------------------------

interface SecretPattern {
  /** A literal the text must contain (case-sensitive) before the pattern runs. */
  readonly literal: string;
  readonly re: RegExp;
  /** Flag only this capture group (the password, not the URL around it). */
  readonly group?: number;
}

// Token shapes as their providers document them (prefixes, alphabets, lengths).
const SECRET_PATTERNS: readonly SecretPattern[] = [
  { literal: 'PRIVATE KEY', re: /-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----[\s\S]*?-----END (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----/g },
  { literal: 'sk-', re: /(?<![\w-])sk-(?:ant-(?:api|admin)\d{2}-|proj-|svcacct-|admin-|or-v1-)?[A-Za-z0-9_-]{20,}/g },
  { literal: 'A', re: /(?<![A-Z0-9])(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}(?![A-Z0-9])/g },
  { literal: 'gh', re: /(?<!\w)gh[pousr]_[A-Za-z0-9]{36,255}(?!\w)/g },
  { literal: 'github_pat_', re: /(?<!\w)github_pat_[A-Za-z0-9_]{22,255}/g },
  { literal: 'glpat-', re: /(?<!\w)glpat-[A-Za-z0-9_-]{20,}/g },
  { literal: 'xox', re: /(?<!\w)xox[abposr]-[A-Za-z0-9-]{10,}/g },
  { literal: 'hooks.slack.com', re: /https:\/\/hooks\.slack\.com\/services\/[A-Za-z0-9/_-]+/g },
  { literal: '_', re: /(?<!\w)(?:sk|rk|pk|whsec)_(?:live|test)_[A-Za-z0-9]{16,}/g },
  { literal: 'AIza', re: /(?<![\w-])AIza[0-9A-Za-z_-]{35}(?![\w-])/g },
  { literal: 'SG.', re: /(?<!\w)SG\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}/g },
  { literal: 'npm_', re: /(?<!\w)npm_[A-Za-z0-9]{36}(?!\w)/g },
  { literal: 'hf_', re: /(?<!\w)hf_[A-Za-z0-9]{34,}(?!\w)/g },
  { literal: 'fw_', re: /(?<!\w)fw_[a-z0-9]{8,32}_[A-Za-z0-9_-]{20,}/g },
  { literal: 'SK', re: /(?<![\w])SK[0-9a-f]{32}(?![\w])/g },
  { literal: 'eyJ', re: /(?<![\w-])eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/g },
  { literal: 'earer', re: /\b[Bb]earer\s+([A-Za-z0-9._~+/-]{16,}=*)/dg, group: 1 },
  { literal: '://', re: /\b[a-zA-Z][a-zA-Z0-9+.-]{0,20}:\/\/[^\s:@/]{1,100}:([^\s@/]{1,200})@/dg, group: 1 },
  { literal: 'AccountKey=', re: /AccountKey=([A-Za-z0-9+/]{86}==)/dg, group: 1 },
];

// `password: hunter2`, `api_key="..."`, `"secret": "..."`: the value, when it looks like one.
const ASSIGNMENT_GATE_RE = /pass|pwd|key|secret|token|kennwort/i;
const ASSIGNMENT_RE =
  /\b(?:password|passwd|pwd|passphrase|passwort|kennwort|mot de passe|contrase[ñn]a|api[_-]?key|apikey|secret(?:[_-]?key)?|access[_-]?token|auth[_-]?token|client[_-]?secret|aws_secret_access_key)["']?\s*(?:[:=]|is)\s*["']?([^\s"',;]{6,200})/dgi;

function looksLikeSecret(value: string): boolean {
  if (value.length >= 8 && /[0-9]/.test(value) && /[A-Za-z]/.test(value)) return true;
  return /[^A-Za-z0-9]/.test(value) && /[A-Za-z0-9]/.test(value) && value.length >= 6;
}

export const findSecrets: Finder = (text, out) => {
  for (const pattern of SECRET_PATTERNS) {
    if (!text.includes(pattern.literal)) continue;
    for (const m of matches(pattern.re, text)) push(out, m, pattern.group);
  }
  if (!ASSIGNMENT_GATE_RE.test(text)) return;
  for (const m of matches(ASSIGNMENT_RE, text)) {
    const value = m[1] ?? '';
    if (looksLikeSecret(value)) push(out, m, 1);
  }
};

function push(out: Detection[], m: RegExpExecArray, group: number | undefined): void {
  if (group === undefined) {
    out.push({ type: 'SECRET', start: m.index, end: m.index + m[0].length });
    return;
  }
  // Patterns with a group carry the `d` flag, so the group's own offsets are known.
  const at = m.indices?.[group];
  if (at) out.push({ type: 'SECRET', start: at[0], end: at[1] });
}
