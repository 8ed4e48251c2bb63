import type { EntityType, Finding } from '../../events/catalogue/privacy';
import { detect, type Detection } from './detector';

/** One text of a record, by its dotted path in that record (`request.messages.1.content`). */
export interface TextAt {
  readonly path: string;
  readonly text: string;
}

export interface ScreenedTexts {
  /** Every text, redacted where something was found (the others unchanged). */
  readonly texts: readonly TextAt[];
  readonly findings: readonly Finding[];
  /** The original of every text that changed, by path: what `encrypt` keeps. */
  readonly originals: ReadonlyMap<string, string>;
}

/**
 * Numbers placeholders per entity type, one number per distinct value, so `<EMAIL_1>` is the
 * same address in the prompt, the tool arguments and the answer. Values are compared in a
 * normal form (case, spacing and separators do not make another person or card).
 */
export class Placeholders {
  private readonly byValue = new Map<string, string>();
  private readonly counts = new Map<EntityType, number>();

  for(type: EntityType, value: string): string {
    const key = `${type}\u0000${normalize(type, value)}`;
    const known = this.byValue.get(key);
    if (known) return known;
    const n = (this.counts.get(type) ?? 0) + 1;
    this.counts.set(type, n);
    const placeholder = `<${type}_${n}>`;
    this.byValue.set(key, placeholder);
    return placeholder;
  }
}

function normalize(type: EntityType, value: string): string {
  switch (type) {
    case 'PHONE':
    case 'CREDIT_CARD':
    case 'SSN':
      return value.replace(/\D/g, '');
    case 'IBAN':
    case 'IP_ADDRESS':
      return value.replace(/\s/g, '').toUpperCase();
    case 'SECRET':
      return value;
    default:
      return value.toLowerCase().replace(/\s+/g, ' ').trim();
  }
}

/** Replaces each detection by its placeholder; findings are placeholder offsets in the new text. */
export function redactText(path: string, text: string, detections: readonly Detection[], placeholders: Placeholders): { text: string; findings: Finding[] } {
  if (detections.length === 0) return { text, findings: [] };
  let out = '';
  let last = 0;
  const findings: Finding[] = [];
  for (const d of detections) {
    const placeholder = placeholders.for(d.type, text.slice(d.start, d.end));
    out += text.slice(last, d.start);
    findings.push({ path, type: d.type, placeholder, start: out.length, end: out.length + placeholder.length });
    out += placeholder;
    last = d.end;
  }
  return { text: out + text.slice(last), findings };
}

/** Screens the texts of one record (an interaction, a comment) with one set of placeholders. */
export function screenTexts(texts: readonly TextAt[], types: ReadonlySet<EntityType>): ScreenedTexts {
  const placeholders = new Placeholders();
  const findings: Finding[] = [];
  const originals = new Map<string, string>();
  const screened = texts.map((t) => {
    const detections = detect(t.text, types);
    if (detections.length === 0) return t;
    const redacted = redactText(t.path, t.text, detections, placeholders);
    findings.push(...redacted.findings);
    originals.set(t.path, t.text);
    return { path: t.path, text: redacted.text };
  });
  return { texts: screened, findings, originals };
}

export function countsOf(findings: readonly Finding[]): Partial<Record<EntityType, number>> {
  const counts: Partial<Record<EntityType, number>> = {};
  for (const f of findings) counts[f.type] = (counts[f.type] ?? 0) + 1;
  return counts;
}
