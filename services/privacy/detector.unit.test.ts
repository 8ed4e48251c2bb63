import type { EntityType } from '../../events/catalogue/privacy';
import { ibanChecksumValid, luhnValid } from './detect-structured';
import { detect } from './detector';
import { interactionTexts, replaceTexts } from './interaction-texts';
import { Placeholders, redactText, screenTexts } from './redact';

/** The detected spans of `text` as `TYPE:value`, in text order. */
const found = (text: string, types?: ReadonlySet<EntityType>) => detect(text, types).map((d) => `${d.type}:${text.slice(d.start, d.end)}`);

describe('PII detector', () => {
  it.each([
    ['EMAIL', 'write to lena.fischer+orders@example.org today', 'lena.fischer+orders@example.org'],
    ['PHONE', 'call me at +1 (415) 555-0132 please', '+1 (415) 555-0132'],
    ['PHONE', 'Telefon: 030 901820.', '030 901820'],
    ['PHONE', 'ring +44 20 7946 0958', '+44 20 7946 0958'],
    ['CREDIT_CARD', 'card 4111 1111 1111 1111 exp 09/27', '4111 1111 1111 1111'],
    ['CREDIT_CARD', 'amex 3782-822463-10005', '3782-822463-10005'],
    ['IBAN', 'IBAN DE89 3704 0044 0532 0130 00 for rent', 'DE89 3704 0044 0532 0130 00'],
    ['IBAN', 'to GB82WEST12345698765432.', 'GB82WEST12345698765432'],
    ['SSN', 'SSN 219-09-9999', '219-09-9999'],
    ['SSN', 'social security number 219099999', '219099999'],
    ['IP_ADDRESS', 'login from 203.0.113.7 failed', '203.0.113.7'],
    ['IP_ADDRESS', 'host 2001:db8::8a2e:370:7334 down', '2001:db8::8a2e:370:7334'],
    ['STREET_ADDRESS', 'ship to 221B Baker Street, London NW1 6XE.', '221B Baker Street, London NW1 6XE'],
    ['STREET_ADDRESS', 'Adresse: Hauptstraße 12, 10115 Berlin', 'Hauptstraße 12, 10115 Berlin'],
    ['STREET_ADDRESS', 'au 12 rue de la Paix, 75002 Paris', '12 rue de la Paix, 75002 Paris'],
    ['STREET_ADDRESS', 'en Calle Mayor 10, 28013 Madrid', 'Calle Mayor 10, 28013 Madrid'],
    ['DATE_OF_BIRTH', 'I was born on 12 March 1985.', '12 March 1985'],
    ['DATE_OF_BIRTH', '{"dob": "1985-03-12"}', '1985-03-12'],
    ['DATE_OF_BIRTH', 'Ich bin am 3.4.1990 geboren.', '3.4.1990'],
    ['SECRET', 'key sk-proj-abcdEFGH1234567890abcdEFGH1234 here', 'sk-proj-abcdEFGH1234567890abcdEFGH1234'],
    ['SECRET', 'export AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE', 'AKIAIOSFODNN7EXAMPLE'],
    ['SECRET', 'token ghp_0123456789abcdefghijABCDEFGHIJ012345', 'ghp_0123456789abcdefghijABCDEFGHIJ012345'],
    ['SECRET', 'Authorization: Bearer abcdef1234567890abcdef', 'abcdef1234567890abcdef'],
    ['SECRET', 'postgres://admin:s3cr3tPass@db.internal:5432/app', 's3cr3tPass'],
    ['SECRET', 'password: hunter2!x', 'hunter2!x'],
    ['PERSON', 'Please forward this to John Smith in accounting.', 'John Smith'],
    ['PERSON', 'The meeting with Dr. Aisha Okonkwo moved.', 'Aisha Okonkwo'],
    ['PERSON', "Hi, I'm Priya, thanks!", 'Priya'],
    ['PERSON', 'Regards,\nPieter van der Berg', 'Pieter van der Berg'],
    ['PERSON', 'Estimada Zanele Dlamini, su pedido llegó.', 'Zanele Dlamini'],
  ])('finds %s in %j', (type, text, value) => {
    expect(found(text)).toContain(`${type}:${value}`);
  });

  it('finds a PEM private key whole', () => {
    const pem = '-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA\nabc123==\n-----END RSA PRIVATE KEY-----';
    expect(found(`my key:\n${pem}\nthanks`)).toEqual([`SECRET:${pem}`]);
  });

  it.each([
    'My router keeps dropping Wi-Fi every evening — what can I do?',
    'Order A-10293 shipped on 12 March 2024, total $1,249.00, tracking 1Z999AA10123456784.',
    'Upgrade to version 1.2.3.4 fixed it; the build 10.4.1.2 did not.',
    'The request id was 3f2b8c1e-9a7d-4e2f-a1b2-0c9d8e7f6a5b and the commit 9fceb02d0ae598e95dc970b74767f19372d61af8.',
    'Reference 4111111111111112 is not a card (Luhn fails).',
    'DE00 1234 5678 9012 3456 78 has a wrong checksum.',
    'SSN 666-12-3456 and 000-12-3456 were never issued.',
    'The meeting is at 14:30:00 in the Berlin office.',
    'We use Microsoft Teams and Google Drive daily.',
    'The Golden Gate Bridge is in San Francisco.',
    'Read the API key from the environment; the password reset link expires after 24 hours.',
  ])('finds nothing in %j', (text) => {
    expect(found(text)).toEqual([]);
  });

  it('checks card and IBAN checksums', () => {
    expect(luhnValid('4111111111111111')).toBe(true);
    expect(luhnValid('4111111111111112')).toBe(false);
    expect(ibanChecksumValid('DE89370400440532013000')).toBe(true);
    expect(ibanChecksumValid('DE88370400440532013000')).toBe(false);
  });

  it('flags only the types asked for', () => {
    expect(found('Lena Fischer, lena@example.org', new Set(['EMAIL']))).toEqual(['EMAIL:lena@example.org']);
  });

  it('keeps one span where entities overlap (the more specific wins)', () => {
    expect(found('https://user:p4ssw0rd-x@example.com/path')).toEqual(['SECRET:p4ssw0rd-x']);
  });
});

describe('redaction', () => {
  it('numbers placeholders per type and value, the same value the same placeholder', () => {
    const placeholders = new Placeholders();
    const text = 'lena@example.org and LENA@example.org, then max@example.org';
    const { text: redacted, findings } = redactText('t', text, detect(text), placeholders);
    expect(redacted).toBe('<EMAIL_1> and <EMAIL_1>, then <EMAIL_2>');
    expect(findings).toEqual([
      { path: 't', type: 'EMAIL', placeholder: '<EMAIL_1>', start: 0, end: 9 },
      { path: 't', type: 'EMAIL', placeholder: '<EMAIL_1>', start: 14, end: 23 },
      { path: 't', type: 'EMAIL', placeholder: '<EMAIL_2>', start: 30, end: 39 },
    ]);
  });

  it('keeps placeholders consistent across the texts of one record and keeps originals of changed texts only', () => {
    const screened = screenTexts(
      [
        { path: 'a', text: 'I am Lena Fischer, call +49 30 901820' },
        { path: 'b', text: 'nothing here' },
        { path: 'c', text: 'Thanks Lena Fischer, we will call +49 30 901820' },
      ],
      new Set(['PERSON', 'PHONE']),
    );
    expect(screened.texts.map((t) => t.text)).toEqual(['I am <PERSON_1>, call <PHONE_1>', 'nothing here', 'Thanks <PERSON_1>, we will call <PHONE_1>']);
    expect([...screened.originals.keys()]).toEqual(['a', 'c']);
    expect(JSON.stringify(screened.findings)).not.toContain('Fischer');
  });

  it('finds every text of an OpenAI request/response and writes redacted ones back without touching the rest', () => {
    const request = {
      model: 'gpt-4o-mini',
      temperature: 0.2,
      messages: [
        { role: 'user', content: [{ type: 'text', text: 'mail a@example.org' }, { type: 'image_url', image_url: { url: 'https://x' } }] },
        { role: 'assistant', content: null, tool_calls: [{ id: 'c1', type: 'function', function: { name: 'send', arguments: '{"to":"a@example.org"}' } }] },
      ],
    };
    const response = { choices: [{ index: 0, message: { role: 'assistant', content: 'sent to a@example.org' } }] };
    const texts = interactionTexts(request, response);
    expect(texts.map((t) => t.path)).toEqual([
      'request.messages.0.content.0.text',
      'request.messages.1.tool_calls.0.function.arguments',
      'response.choices.0.message.content',
    ]);
    const screened = screenTexts(texts, new Set(['EMAIL']));
    const replacements = new Map(screened.texts.map((t) => [t.path, t.text]));
    const newRequest = replaceTexts(request, 'request', replacements);
    expect(JSON.stringify(newRequest)).not.toContain('a@example.org');
    expect(newRequest.messages[1]).toMatchObject({ tool_calls: [{ function: { arguments: '{"to":"<EMAIL_1>"}' } }] });
    expect(newRequest.temperature).toBe(0.2);
    expect(JSON.stringify(request.messages[0])).toContain('mail a@example.org'); // the input is not mutated
    expect(replaceTexts(response, 'response', replacements).choices[0]?.message.content).toBe('sent to <EMAIL_1>');
  });
});

describe('detector on hostile input', () => {
  // A field may hold 256 KB. A regex with an unbounded run before a required character turns a
  // long run without that character quadratic: minutes of blocked event loop for one request.
  it.each([
    ['a capitalised run with an @ elsewhere', `A${'a'.repeat(100_000)} @x`],
    ['upper-case letters', `${'A'.repeat(100_000)} @x 1`],
    ['a word before an @', `${'x'.repeat(100_000)}@`],
    ['dotted letters before an @', `${'a.'.repeat(50_000)}@b`],
    ['a scheme-like run before ://', `${'a'.repeat(100_000)}://`],
    ['base64 with an address', `${Buffer.from(Array.from({ length: 75_000 }, (_, i) => i % 251)).toString('base64')} me@example.com`],
  ])('stays linear on %s', (_name, text) => {
    const started = performance.now();
    detect(text);
    expect(performance.now() - started).toBeLessThan(3_000);
  });
});
