/**
 * Writes the labelled PII corpus (pii-corpus.jsonl beside this file) from the templates and
 * pools, deterministically (seeded). The JSONL is committed: the benchmark and the tests read
 * it, and a change to the templates shows up as a diff of the snippets themselves.
 *
 *   npx tsx services/privacy/corpus/build.ts
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { EntityType } from '../../../events/catalogue/privacy';
import { luhnValid } from '../detect-structured';
import {
  address, card, CUED_PHONES, date, email, iban, IDENTIFIERS, ipv4, ipv6, jwt, keyValue, NATIONAL_PHONES, password, pemKey, person, PHONES, pick,
  PLACEHOLDERS, rng, secret, ssn, type Rng,
} from './pools';
import { TEMPLATES } from './templates';

export interface LabelledSnippet {
  readonly id: string;
  readonly lang: string;
  readonly text: string;
  readonly entities: readonly { readonly type: EntityType; readonly start: number; readonly end: number }[];
}

const B64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const chars = (r: Rng, n: number, alphabet: string) => Array.from({ length: n }, () => alphabet[Math.floor(r() * alphabet.length)] ?? 'x').join('');
const digits = (r: Rng, n: number) => chars(r, n, '0123456789');

function nonLuhn16(r: Rng): string {
  for (;;) {
    const n = `${1 + Math.floor(r() * 9)}${digits(r, 15)}`;
    if (!luhnValid(n)) return n;
  }
}

/** A slot's value and the entity type it is labelled with (null: a decoy, not PII). */
function fill(slot: string, r: Rng, lang: string, who: ReturnType<typeof person>, other: ReturnType<typeof person>): [string, EntityType | null] {
  switch (slot) {
    case 'PERSON': return [who.full, 'PERSON'];
    case 'PERSON2': return [other.full, 'PERSON'];
    case 'FIRST': return [who.first, 'PERSON'];
    case 'LAST': return [who.last, 'PERSON'];
    case 'EMAIL': return [email(r, who), 'EMAIL'];
    case 'PHONE': return [pick(r, PHONES), 'PHONE'];
    case 'NPHONE': return [pick(r, NATIONAL_PHONES), 'PHONE'];
    case 'XPHONE': return [pick(r, CUED_PHONES), 'PHONE'];
    case 'CARD': return [card(r), 'CREDIT_CARD'];
    case 'IBAN': return [iban(r), 'IBAN'];
    case 'SSN': return [ssn(r), 'SSN'];
    case 'SSNBARE': return [ssn(r, false), 'SSN'];
    case 'IP4': return [ipv4(r), 'IP_ADDRESS'];
    case 'IP6': return [ipv6(r), 'IP_ADDRESS'];
    case 'ADDRESS': return [address(r).text, 'STREET_ADDRESS'];
    case 'DOB': return [date(r, lang), 'DATE_OF_BIRTH'];
    case 'SECRET': return [secret(r), 'SECRET'];
    case 'AWSKEY': return [`AKIA${chars(r, 16, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567')}`, 'SECRET'];
    case 'BEARER': return [chars(r, 40, B64URL), 'SECRET'];
    case 'PASSWORD': return [password(r), 'SECRET'];
    case 'URLPASS': return [password(r, true), 'SECRET'];
    case 'PEM': return [pemKey(r), 'SECRET'];
    case 'JWT': return [jwt(r), 'SECRET'];
    case 'KEYVAL': return [keyValue(r), 'SECRET'];
    case 'ORDER': return [pick(r, [`A-${digits(r, 5)}`, `#${digits(r, 6)}`, `ORD-2025-${digits(r, 4)}`, `${digits(r, 8)}`, `INV-${digits(r, 6)}`]), null];
    case 'DATE': return [date(r, lang, 2023, 2027), null];
    case 'VERSION': return [pick(r, [`${Math.floor(r() * 5)}.${Math.floor(r() * 20)}.${Math.floor(r() * 9)}`, `v${Math.floor(r() * 4)}.${Math.floor(r() * 12)}.0`, `1.2.${Math.floor(r() * 9)}.${Math.floor(r() * 99)}`]), null];
    case 'UUID': return [`${chars(r, 8, '0123456789abcdef')}-${chars(r, 4, '0123456789abcdef')}-4${chars(r, 3, '0123456789abcdef')}-a${chars(r, 3, '0123456789abcdef')}-${chars(r, 12, '0123456789abcdef')}`, null];
    case 'HASH': return [chars(r, 40, '0123456789abcdef'), null];
    case 'AMOUNT': return [pick(r, [`$${digits(r, 1)},${digits(r, 3)}.00`, `€${digits(r, 2)},90`, `£${digits(r, 3)}.50`, `${digits(r, 4)} USD`]), null];
    case 'TRACKING': return [`1Z${chars(r, 6, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789')}${digits(r, 10)}`, null];
    case 'NUM16': return [nonLuhn16(r), null];
    case 'TIME': return [pick(r, [`${10 + Math.floor(r() * 9)}:${pick(r, ['00', '15', '30', '45'])}`, `0${Math.floor(r() * 9)}:${digits(r, 1)}5:0${digits(r, 1)}`]), null];
    case 'USER': return [pick(r, ['admin', 'app_user', 'deploy', 'svc-reports', 'root']), null];
    case 'PRODUCT': return [pick(r, ['Slack', 'Jira', 'Kubernetes', 'Postgres', 'Grafana', 'Terraform']), null];
    case 'COMPANY': return [pick(r, ['Acme Corp', 'Globex', 'Initech', 'Umbrella Logistics', 'Contoso']), null];
    case 'CITY': return [pick(r, ['Berlin', 'Chicago', 'Lisbon', 'Osaka']), null];
    case 'LAST4': return [digits(r, 4), null];
    case 'IDENT': return [pick(r, IDENTIFIERS), null];
    case 'PLACEHOLDER': return [pick(r, PLACEHOLDERS), null];
    default: throw new Error(`unknown slot ${slot}`);
  }
}

export function buildCorpus(copies = 5, seed = 20261126): LabelledSnippet[] {
  const r = rng(seed);
  const out: LabelledSnippet[] = [];
  TEMPLATES.forEach(([lang, template], t) => {
    for (let c = 0; c < copies; c++) {
      const who = person(r);
      let other = person(r);
      while (other.full === who.full) other = person(r);
      let text = '';
      const entities: { type: EntityType; start: number; end: number }[] = [];
      let last = 0;
      for (const m of template.matchAll(/\{([A-Z0-9]+)\}/g)) {
        text += template.slice(last, m.index);
        const [value, type] = fill(m[1] ?? '', r, lang, who, other);
        if (type) entities.push({ type, start: text.length, end: text.length + value.length });
        text += value;
        last = m.index + m[0].length;
      }
      text += template.slice(last);
      out.push({ id: `${lang}-${String(t).padStart(3, '0')}-${c}`, lang, text, entities });
    }
  });
  return out;
}

if (require.main === module) {
  const corpus = buildCorpus();
  writeFileSync(join(__dirname, 'pii-corpus.jsonl'), `${corpus.map((s) => JSON.stringify(s)).join('\n')}\n`);
  const entities = corpus.reduce((n, s) => n + s.entities.length, 0);
  process.stdout.write(`wrote ${corpus.length} snippets with ${entities} labelled entities\n`);
}
