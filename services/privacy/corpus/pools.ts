import { seededRandom } from '../../../lib/random';
import { luhnValid } from '../detect-structured';

/**
 * The made-up values the corpus is written with: names from many languages, reserved example
 * domains, test-range phone numbers, Luhn-valid card numbers and checksum-valid IBANs computed
 * here, never-issued-looking SSNs, documentation IP ranges, and tokens in each provider's shape
 * filled with random characters. No real person's data.
 */

export type Rng = () => number;

export function rng(seed: number): Rng {
  return seededRandom(seed);
}

export const pick = <T>(r: Rng, items: readonly T[]): T => {
  const item = items[Math.floor(r() * items.length)];
  if (item === undefined) throw new Error('empty pool');
  return item;
};

const digits = (r: Rng, n: number): string => Array.from({ length: n }, () => String(Math.floor(r() * 10))).join('');
const chars = (r: Rng, n: number, alphabet: string): string => Array.from({ length: n }, () => alphabet[Math.floor(r() * alphabet.length)] ?? 'x').join('');
const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const UPPER_NUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
const B64URL = `${ALNUM}-_`;

export const PEOPLE: readonly (readonly [string, string])[] = [
  ['Maria', 'Gonzalez'], ['Lena', 'Fischer'], ['Jürgen', 'Müller'], ['Aisha', 'Okonkwo'], ['Priya', 'Raghunathan'], ['Wei', 'Zhang'],
  ['Yuki', 'Tanaka'], ['Olga', 'Ivanova'], ['Pierre', 'Dubois'], ['Giulia', 'Rossi'], ['Sven', 'Lindqvist'], ['Fatima', 'al-Sayed'],
  ['Carlos', 'Mendoza'], ['Emily', 'Johnson'], ['James', "O'Connor"], ['Siobhan', 'Murphy'], ['Mateus', 'Oliveira'], ['Ana', 'Souza'],
  ['Hiroshi', 'Sato'], ['Kwame', 'Mensah'], ['Zanele', 'Dlamini'], ['Rahul', 'Mehta'], ['Sofia', 'Kowalski'], ['Lars', 'Jensen'],
  ['Ingrid', 'Olsen'], ['Mohammed', 'Haddad'], ['Leila', 'Farouk'], ['Tomás', 'García'], ['Chloé', 'Martin'], ['Jean-Luc', 'Moreau'],
  ['Anneke', 'de Vries'], ['Pieter', 'van der Berg'], ['Daniel', 'Cohen'], ['Noa', 'Levi'], ['Mei', 'Lin'], ['Arjun', 'Nair'],
  ['Ewa', 'Nowak'], ['Marek', 'Dvořák'], ['Elif', 'Yılmaz'], ['Mehmet', 'Demir'], ['Isabela', 'Costa'], ['Liam', 'Walsh'],
  ['Grace', 'Kim'], ['Oluwaseun', 'Adeyemi'], ['Tariq', 'Hussain'], ['Hannah', 'Becker'], ['Lukas', 'Schmidt'], ['Camille', 'Laurent'],
  ['Diego', 'Ramírez'], ['Valentina', 'Bianchi'], ['Ahmed', 'Khan'], ['Sarah', 'Thompson'], ['Michael', 'Brown'], ['Laura', 'Weber'],
  ['Kenji', 'Watanabe'], ['Amara', 'Nwosu'], ['Santiago', 'López'], ['Bjørn', 'Halvorsen'], ['Nadia', 'Petrova'], ['Rosa', 'Ferreira'],
];

export function person(r: Rng): { first: string; last: string; full: string } {
  const [first, last] = pick(r, PEOPLE);
  return { first, last, full: `${first} ${last}` };
}

const DOMAINS = ['example.com', 'example.org', 'example.net', 'mail.example.de', 'example.co.uk', 'corp.example.fr', 'example.es', 'example.it'];
export function email(r: Rng, p = person(r)): string {
  const ascii = (s: string) => s.normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/[^A-Za-z]/g, '').toLowerCase();
  const local = pick(r, [`${ascii(p.first)}.${ascii(p.last)}`, `${ascii(p.first)[0]}${ascii(p.last)}`, `${ascii(p.first)}${digits(r, 2)}`, `${ascii(p.first)}+orders`, `${ascii(p.last)}_${ascii(p.first)}`]);
  return `${local}@${pick(r, DOMAINS)}`;
}

// Numbers in each country's drama/test ranges or plausible mobile ranges, as people write them.
export const PHONES: readonly string[] = [
  '+1 (415) 555-0132', '+1 212-555-0147', '+1 646 555 0199', '(312) 555-0178', '415-555-0123', '+44 20 7946 0958', '+44 7911 123456',
  '+49 30 901820', '+49 151 23456789', '+49 (0)89 1234567', '+33 1 23 45 67 89', '+33 6 12 34 56 78', '+34 612 345 678', '+34 91 123 45 67',
  '+39 06 1234 5678', '+39 312 345 6789', '+31 20 123 4567', '+31 6 12345678', '+91 98765 43210', '+81 3-1234-5678', '+81 90-1234-5678',
  '+61 2 9876 5432', '+61 412 345 678', '+55 11 91234-5678', '+52 55 1234 5678', '+41 44 668 18 00', '+43 1 5134567', '+46 8 123 456 78',
  '+48 22 123 45 67', '+353 1 234 5678', '+32 2 123 45 67', '+351 912 345 678', '0044 20 7946 0123', '+27 21 123 4567', '+65 6123 4567',
];
/** National numbers, valid only with a word saying they are phone numbers. */
export const NATIONAL_PHONES: readonly string[] = ['030 901820', '089 1234567', '06 12 34 56 78', '020 7946 0958', '612 345 678', '06 1234 5678', '0151 23456789'];
/**
 * Numbers as people write them right after saying it is their number, which libphonenumber
 * rejects for the country they are written in: a US exchange code starting with 0 or 1, an
 * unassigned London 020 2/5/6/9, a digit too few (a typo, or a number made up on the spot).
 * With the cue before them they are phone numbers all the same.
 */
export const CUED_PHONES: readonly string[] = [
  '212-055-0147', '(415) 055-0132', '646 155 0199', '+1 312 011 0178', '+1 (415) 055-0199', '718.045.2210', '020 2946 0958', '020 5123 4567',
  '+44 20 6946 0958', '+44 20 9123 4567', '07911 12345', '+44 7911 12345', '+33 6 00 12 34 5', '06 1234 567', '+34 612 345 67',
];

export function card(r: Rng): string {
  const kind = pick(r, ['visa', 'mc', 'amex', 'discover', 'mc2']);
  const prefix = { visa: '4', mc: `5${1 + Math.floor(r() * 5)}`, amex: pick(r, ['34', '37']), discover: '6011', mc2: '2221' }[kind] ?? '4';
  const length = kind === 'amex' ? 15 : 16;
  let body = prefix + digits(r, length - prefix.length - 1);
  for (let d = 0; d < 10; d++) if (luhnValid(body + String(d))) return format(r, body + String(d), kind === 'amex');
  body = '';
  return body;
}

function format(r: Rng, number: string, amex: boolean): string {
  const style = pick(r, ['space', 'dash', 'none', 'space']);
  if (style === 'none') return number;
  const sep = style === 'space' ? ' ' : '-';
  if (amex) return `${number.slice(0, 4)}${sep}${number.slice(4, 10)}${sep}${number.slice(10)}`;
  return number.match(/.{1,4}/g)?.join(sep) ?? number;
}

const IBAN_SHAPES: Readonly<Record<string, number>> = { DE: 22, FR: 27, GB: 22, ES: 24, NL: 18, IT: 27, CH: 21, AT: 20, BE: 16, PL: 28, PT: 25, IE: 22 };

export function iban(r: Rng): string {
  const country = pick(r, Object.keys(IBAN_SHAPES));
  const length = IBAN_SHAPES[country] ?? 22;
  const letters = country === 'GB' || country === 'NL' || country === 'IE' ? chars(r, 4, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ') : '';
  const bban = letters + digits(r, length - 4 - letters.length);
  const numeric = [...`${bban}${country}00`].map((c) => (c >= 'A' ? String(c.charCodeAt(0) - 55) : c)).join('');
  let remainder = 0;
  for (const c of numeric) remainder = (remainder * 10 + Number(c)) % 97;
  const check = String(98 - remainder).padStart(2, '0');
  const compact = `${country}${check}${bban}`;
  return r() < 0.75 ? (compact.match(/.{1,4}/g)?.join(' ') ?? compact) : compact;
}

export function ssn(r: Rng, dashed = true): string {
  let area = 1 + Math.floor(r() * 898);
  if (area === 666) area = 667;
  const s = `${String(area).padStart(3, '0')}${String(1 + Math.floor(r() * 98)).padStart(2, '0')}${String(1 + Math.floor(r() * 9998)).padStart(4, '0')}`;
  return dashed ? `${s.slice(0, 3)}-${s.slice(3, 5)}-${s.slice(5)}` : s;
}

export function ipv4(r: Rng): string {
  const nets = [['192', '0', '2'], ['198', '51', '100'], ['203', '0', '113'], ['10', String(Math.floor(r() * 256)), String(Math.floor(r() * 256))], ['172', '16', String(Math.floor(r() * 256))], ['192', '168', String(Math.floor(r() * 256))], ['85', '214', '132']];
  return [...pick(r, nets), String(1 + Math.floor(r() * 253))].join('.');
}

export function ipv6(r: Rng): string {
  const hex = (n: number) => Array.from({ length: n }, () => Math.floor(r() * 65536).toString(16));
  return pick(r, [`2001:db8::${hex(2).join(':')}`, `2001:db8:${hex(6).join(':')}`, `fe80::${hex(3).join(':')}`, `2a02:810d:${hex(2).join(':')}::${hex(1)[0] ?? '1'}`]);
}

export function secret(r: Rng): string {
  return pick(r, [
    () => `sk-proj-${chars(r, 48, B64URL)}`,
    () => `sk-${chars(r, 48, ALNUM)}`,
    () => `sk-ant-api03-${chars(r, 90, B64URL)}`,
    () => `AKIA${chars(r, 16, UPPER_NUM)}`,
    () => `ghp_${chars(r, 36, ALNUM)}`,
    () => `github_pat_${chars(r, 22, ALNUM)}_${chars(r, 59, ALNUM)}`,
    () => `xoxb-${digits(r, 12)}-${digits(r, 13)}-${chars(r, 24, ALNUM)}`,
    () => `sk_live_${chars(r, 24, ALNUM)}`,
    () => `AIza${chars(r, 35, B64URL)}`,
    () => `glpat-${chars(r, 20, B64URL)}`,
    () => `npm_${chars(r, 36, ALNUM)}`,
    () => `hf_${chars(r, 34, ALNUM)}`,
    () => `eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJ${chars(r, 40, B64URL)}.${chars(r, 43, B64URL)}`,
  ])();
}

/** A JWT's shape: a JSON header, a payload (JSON, or opaque as some issuers make it) and a signature. */
export function jwt(r: Rng): string {
  const header = pick(r, ['eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9', 'eyJhbGciOiJSUzI1NiIsImtpZCI6ImsxIn0', 'eyJhbGciOiJFUzI1NiJ9']);
  const payload = r() < 0.5 ? `eyJ${chars(r, 40, B64URL)}` : `${pick(r, ['c2', 'dG', 'YX', 'MT'])}${chars(r, 30, B64URL)}`;
  return `${header}.${payload}.${chars(r, pick(r, [43, 86]), B64URL)}`;
}

/** A random key or token of no provider's shape: hex, base62, base64, or a short prefix and random. */
export function keyValue(r: Rng): string {
  return pick(r, [
    () => chars(r, 32, '0123456789abcdef'),
    () => chars(r, 40, '0123456789abcdef'),
    () => chars(r, 64, '0123456789abcdef'),
    () => chars(r, 24 + Math.floor(r() * 17), ALNUM),
    () => `${chars(r, 39, `${ALNUM}+/`)}=`,
    () => `key-${chars(r, 32, 'abcdefghijklmnopqrstuvwxyz0123456789')}`,
  ])();
}

/** Values assigned to `*_KEY` names that are not secrets: cache and sort keys, identifiers. */
export const IDENTIFIERS: readonly string[] = ['user_profile', 'created_at_desc_v2', 'tenant_region_2024', 'orders_by_customer_v3', 'session:v2:user:profile', 'feature_flags_cache', 'userProfileCacheKey'];
/** What documentation and example files put where a secret goes. */
export const PLACEHOLDERS: readonly string[] = ['your-api-key-here', '<your-token-here>', '${OPENAI_KEY}', 'changeme', 'xxxxxxxxxxxxxxxxxxxxxxxx', 'REPLACE_WITH_YOUR_KEY', '********', 'sk-...'];

export function pemKey(r: Rng): string {
  const kind = pick(r, ['RSA ', 'EC ', '', 'OPENSSH ']);
  const body = Array.from({ length: 3 }, () => chars(r, 64, `${ALNUM}+/`)).join('\n');
  return `-----BEGIN ${kind}PRIVATE KEY-----\n${body}\n-----END ${kind}PRIVATE KEY-----`;
}

export function password(r: Rng, inUrl = false): string {
  // In a URL an `@` would be percent-encoded; in a config line people write it as is.
  return pick(r, [`${chars(r, 6, ALNUM)}!${digits(r, 3)}`, `Summer${digits(r, 4)}#`, `${chars(r, 12, ALNUM)}`, inUrl ? `pass-${chars(r, 6, ALNUM)}` : `p@ss-${chars(r, 6, ALNUM)}`]);
}

export const STREETS_EN = ['Baker', 'Maple', 'Oak', 'Elm', 'Pine', 'Cedar', 'Sunset', 'Highland', 'Park', 'Lake', 'Hillcrest', 'Washington', 'King', 'Church', 'Mill', 'Victoria'];
export const SUFFIX_EN = ['Street', 'St', 'Avenue', 'Ave', 'Road', 'Rd', 'Lane', 'Drive', 'Boulevard', 'Way', 'Court', 'Place', 'Terrace'];
export const CITIES_US: readonly (readonly [string, string])[] = [['Springfield', 'IL'], ['Portland', 'OR'], ['Austin', 'TX'], ['Denver', 'CO'], ['Madison', 'WI'], ['Boston', 'MA']];

export function address(r: Rng): { text: string; lang: string } {
  const n = String(1 + Math.floor(r() * 9_000));
  const style = pick(r, ['en', 'en', 'en-city', 'uk', 'de', 'fr', 'es', 'it', 'nl', 'pt']);
  switch (style) {
    case 'en':
      return { text: `${n} ${pick(r, STREETS_EN)} ${pick(r, SUFFIX_EN)}${r() < 0.3 ? `, Apt ${1 + Math.floor(r() * 20)}${pick(r, ['A', 'B', ''])}` : ''}`, lang: 'en' };
    case 'en-city': {
      const [city, state] = pick(r, CITIES_US);
      return { text: `${n} ${pick(r, STREETS_EN)} ${pick(r, SUFFIX_EN)}, ${city}, ${state} ${digits(r, 5)}`, lang: 'en' };
    }
    case 'uk':
      return { text: `${1 + Math.floor(r() * 200)} ${pick(r, STREETS_EN)} ${pick(r, ['Road', 'Street', 'Lane', 'Close', 'Gardens'])}, ${pick(r, ['London', 'Leeds', 'Bristol'])} ${pick(r, ['NW1 6XE', 'SW1A 2AA', 'LS1 4AP', 'BS8 1TH'])}`, lang: 'en' };
    case 'de':
      return { text: `${pick(r, ['Haupt', 'Linden', 'Goethe', 'Schiller', 'Bahnhof', 'Berliner', 'Rosen'])}${pick(r, ['straße', 'str.', 'weg', 'allee', 'platz'])} ${1 + Math.floor(r() * 150)}${r() < 0.5 ? `, ${digits(r, 5)} ${pick(r, ['Berlin', 'München', 'Hamburg', 'Köln'])}` : ''}`, lang: 'de' };
    case 'fr':
      return { text: `${1 + Math.floor(r() * 120)} ${pick(r, ['rue de la Paix', 'avenue Victor Hugo', 'boulevard Saint-Germain', 'rue des Lilas', 'place Bellecour'])}${r() < 0.6 ? `, ${pick(r, ['75002 Paris', '69002 Lyon', '13001 Marseille'])}` : ''}`, lang: 'fr' };
    case 'es':
      return { text: `${pick(r, ['Calle Mayor', 'Calle de Alcalá', 'Avenida de la Constitución', 'Paseo de Gracia', 'Calle Real'])} ${1 + Math.floor(r() * 120)}${r() < 0.6 ? `, ${pick(r, ['28013 Madrid', '08007 Barcelona', '41001 Sevilla'])}` : ''}`, lang: 'es' };
    case 'it':
      return { text: `${pick(r, ['Via Roma', 'Via Garibaldi', 'Corso Vittorio Emanuele', 'Piazza Navona', 'Viale Mazzini'])} ${1 + Math.floor(r() * 120)}${r() < 0.5 ? `, ${pick(r, ['00186 Roma', '20121 Milano', '50122 Firenze'])}` : ''}`, lang: 'it' };
    case 'nl':
      return { text: `${pick(r, ['Keizersgracht', 'Prinsengracht', 'Damstraat', 'Kerkstraat', 'Stationsplein'])} ${1 + Math.floor(r() * 300)}${r() < 0.5 ? `, ${digits(r, 4)} ${pick(r, ['AB', 'CD', 'EK'])} Amsterdam` : ''}`, lang: 'nl' };
    default:
      return { text: `${pick(r, ['Rua Augusta', 'Rua das Flores', 'Avenida da Liberdade'])}, ${1 + Math.floor(r() * 300)}${r() < 0.5 ? `, ${pick(r, ['1100-048 Lisboa', '4050-262 Porto'])}` : ''}`, lang: 'pt' };
  }
}

const MONTHS_EN = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const MONTHS_DE = ['Januar', 'Februar', 'März', 'April', 'Mai', 'Juni', 'Juli', 'August', 'September', 'Oktober', 'November', 'Dezember'];
const MONTHS_FR = ['janvier', 'février', 'mars', 'avril', 'mai', 'juin', 'juillet', 'août', 'septembre', 'octobre', 'novembre', 'décembre'];
const MONTHS_ES = ['enero', 'febrero', 'marzo', 'abril', 'mayo', 'junio', 'julio', 'agosto', 'septiembre', 'octubre', 'noviembre', 'diciembre'];

export function date(r: Rng, lang: string, yearFrom = 1945, yearTo = 2006): string {
  const y = yearFrom + Math.floor(r() * (yearTo - yearFrom));
  const m = Math.floor(r() * 12);
  const d = 1 + Math.floor(r() * 28);
  const pad = (x: number) => String(x).padStart(2, '0');
  switch (lang) {
    case 'de':
      return pick(r, [`${d}.${m + 1}.${y}`, `${pad(d)}.${pad(m + 1)}.${y}`, `${d}. ${MONTHS_DE[m]} ${y}`]);
    case 'fr':
      return pick(r, [`${pad(d)}/${pad(m + 1)}/${y}`, `${d} ${MONTHS_FR[m]} ${y}`]);
    case 'es':
      return pick(r, [`${pad(d)}/${pad(m + 1)}/${y}`, `${d} de ${MONTHS_ES[m]} de ${y}`]);
    default:
      return pick(r, [`${MONTHS_EN[m]} ${d}, ${y}`, `${d} ${MONTHS_EN[m]} ${y}`, `${pad(m + 1)}/${pad(d)}/${y}`, `${y}-${pad(m + 1)}-${pad(d)}`]);
  }
}
