import { isIPv6 } from 'node:net';
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
 * cards (Luhn and issuer prefixes), IBANs (country length and mod-97), SSNs (the SSA's
 * never-issued ranges), IP addresses and secrets; phones are in detect-phone.ts. Each starts
 * with a cheap test (a character or literal the entity must contain) so clean text costs a few
 * scans, not a regex battery.
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

// `OPENAI_KEY=…`, `export STRIPE_SECRET="…"`, `"sendgrid_token": "…"`, `REDIS_PASSWORD: …`,
// `$env:AZURE_KEY="…"`: a name ending in _KEY, _TOKEN, _SECRET or _PASSWORD, in any case, given a
// value. The name alone says too little (CACHE_KEY=user_profile, MAX_KEY=10, SORT_KEY=created_at):
// the value must also be a JWT or look random (namedSecretValue).
const NAMED_GATE_RE = /_(?:key|token|secret|password)/i;
const NAMED_ASSIGNMENT_RE =
  /(?<![A-Za-z0-9_])([A-Za-z][A-Za-z0-9_]{0,62}_(?:key|token|secret|password))\\?["']?\s{0,4}(?::=|=>|[:=])\s{0,4}\\?["']?([^\s"'`,;\\]{1,4096})/dgi;
// Keys of a data structure, not credentials: their values are ids and hashes (an idempotency
// key is a UUID, a page token an opaque cursor), random-looking but nobody's secret.
const DATA_KEY_NAME_RE = /(?:^|_)(?:cache|sort|partition|primary|foreign|idempotency|dedup|row|hash|range|object|lookup|routing|shard|page|cursor|continuation|sync)_(?:key|token)$/i;
// Three base64url segments, the first a JSON header ("eyJ" is `{"`); the payload need not be JSON.
const JWT_SHAPE_RE = /^eyJ[A-Za-z0-9_-]{5,2048}\.[A-Za-z0-9_-]{2,8192}\.[A-Za-z0-9_-]{0,2048}$/;
// A path or a URL names where a key is kept, not the key (SSH_KEY=~/.ssh/id_ed25519).
const LOCATION_RE = /^(?:~?\.{0,2}\/|[A-Za-z]:\/)|:\/\//;
// A piece an identifier or a placeholder is made of: a word in one case or camelCase, a number,
// a short version or suffix (v2, ed25519).
const WORD_PIECE_RE = /^(?:[a-z]{1,40}|[A-Z]{1,40}|[A-Z]?[a-z]{1,40}(?:[A-Z][a-z]{1,40}){1,8}|\d{1,8}|[A-Za-z]{1,3}\d{1,5})$/;
/**
 * Bits per character (Shannon, over the value's own characters) a random value clears: with at
 * least 16 characters, 99.99% of random base62 or base64 strings score ≥ 3.0, and random hex
 * 99.5% at 24 characters, 99.99% at 32 (85% at 16: a 64-bit hex value is sometimes missed).
 * Fewer than 8 distinct characters cannot reach 3.0 (log2 8), so filler such as `abcabcabc…`
 * or `1a1a1a…` stays below it.
 */
const MIN_SECRET_ENTROPY = 3.0;
const MIN_SECRET_LENGTH = 16;

/** Shannon entropy of a value's UTF-16 code units, in bits per unit. */
export function shannonEntropy(value: string): number {
  const counts = new Map<number, number>();
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    counts.set(c, (counts.get(c) ?? 0) + 1);
  }
  let bits = 0;
  for (const n of counts.values()) {
    const p = n / value.length;
    bits -= p * Math.log2(p);
  }
  return bits;
}

function namedSecretValue(value: string): boolean {
  if (JWT_SHAPE_RE.test(value)) return true;
  if (value.length < MIN_SECRET_LENGTH || LOCATION_RE.test(value)) return false;
  // Words joined by separators (created_at_desc_v2, your-api-key-here, <your-token>) are names.
  if (value.split(/[^A-Za-z0-9]{1,8}/).every((piece) => piece === '' || WORD_PIECE_RE.test(piece))) return false;
  return shannonEntropy(value) >= MIN_SECRET_ENTROPY;
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
  if (!NAMED_GATE_RE.test(text)) return;
  for (const m of matches(NAMED_ASSIGNMENT_RE, text)) {
    const at = m.indices?.[2];
    if (!at || DATA_KEY_NAME_RE.test(m[1] ?? '')) continue;
    // A sentence or a bracket may close right after the value.
    const value = (m[2] ?? '').replace(/[.)\]}>]{1,8}$/, '');
    if (namedSecretValue(value)) out.push({ type: 'SECRET', start: at[0], end: at[0] + value.length });
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
