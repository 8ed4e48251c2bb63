import { ENTITY_TYPES, type EntityType } from '../../events/catalogue/privacy';
import { findCards, findEmails, findIbans, findIps, findSecrets, findSsns, type Detection, type Finder } from './detect-structured';
import { findPeople } from './detect-person';
import { findPhones } from './detect-phone';
import { findAddresses, findDatesOfBirth } from './detect-text';

export type { Detection };
export { clearDetectorCaches } from './detect-phone';

/**
 * Which finder wins when two flag overlapping text: the more specific and the more harmful
 * first. A secret may contain what looks like an email; an IBAN holds digit runs that look like
 * phone numbers; an address starts with a name-like street.
 */
const PRIORITY: readonly EntityType[] = [
  'SECRET',
  'EMAIL',
  'IBAN',
  'CREDIT_CARD',
  'SSN',
  'IP_ADDRESS',
  'DATE_OF_BIRTH',
  'PHONE',
  'STREET_ADDRESS',
  'PERSON',
];
const RANK = new Map(PRIORITY.map((type, i) => [type, i]));

const FINDERS: Readonly<Record<EntityType, Finder>> = {
  SECRET: findSecrets,
  EMAIL: findEmails,
  IBAN: findIbans,
  CREDIT_CARD: findCards,
  SSN: findSsns,
  IP_ADDRESS: findIps,
  DATE_OF_BIRTH: findDatesOfBirth,
  PHONE: findPhones,
  STREET_ADDRESS: findAddresses,
  PERSON: findPeople,
};

const NEEDS_DIGIT: ReadonlySet<EntityType> = new Set(['IBAN', 'CREDIT_CARD', 'SSN', 'IP_ADDRESS', 'DATE_OF_BIRTH', 'PHONE', 'STREET_ADDRESS']);

export const ALL_ENTITY_TYPES: ReadonlySet<EntityType> = new Set(ENTITY_TYPES);

/**
 * Every entity in `text` of the given types, as non-overlapping spans in text order. Pure and
 * synchronous: no I/O, no model download, the same answer for the same text.
 */
export function detect(text: string, types: ReadonlySet<EntityType> = ALL_ENTITY_TYPES): Detection[] {
  if (text.length === 0) return [];
  const found: Detection[] = [];
  // Most entities hold a digit; prose without one skips their finders altogether.
  const digits = /\d/.test(text);
  for (const type of PRIORITY) if (types.has(type) && (digits || !NEEDS_DIGIT.has(type))) FINDERS[type](text, found);
  if (found.length <= 1) return found;
  return resolveOverlaps(found);
}

function resolveOverlaps(found: readonly Detection[]): Detection[] {
  const ranked = [...found].sort((a, b) => (RANK.get(a.type) ?? 99) - (RANK.get(b.type) ?? 99) || b.end - b.start - (a.end - a.start));
  const kept: Detection[] = [];
  for (const d of ranked) {
    if (d.end <= d.start) continue;
    if (kept.some((k) => d.start < k.end && k.start < d.end)) continue;
    kept.push(d);
  }
  return kept.sort((a, b) => a.start - b.start);
}
