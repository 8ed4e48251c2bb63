import type { EntityType } from '../../events/catalogue/privacy';
import { ibanChecksumValid, luhnValid, shannonEntropy } from './detect-structured';
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

/** Only the spans of one type, as `TYPE:value`. */
const foundOf = (type: EntityType, text: string) => found(text).filter((f) => f.startsWith(`${type}:`));

describe('PII detector: a phone number right after a cue (issue 9)', () => {
  it.each([
    ['call me back at 212-055-0147 tomorrow', '212-055-0147'], // a US exchange code starting with 0
    ['My number is 020 2946 0958.', '020 2946 0958'], // an unassigned London 020 2
    ['text me on +1 415 055 0132 when you are outside', '+1 415 055 0132'],
    ['Tel.: +44 20 6946 0958', '+44 20 6946 0958'],
    ['{"customer": "Kwame Mensah", "phone": "+33 6 00 12 34 5"}', '+33 6 00 12 34 5'], // a digit short
    ['Rufen Sie mich bitte unter +1 312 011 0178 zurück.', '+1 312 011 0178'],
    ['Meine Telefonnummer ist 07911 12345.', '07911 12345'],
    ['Mon numéro est le 06 1234 567, merci de me rappeler.', '06 1234 567'],
    ['Appelez-moi au +44 20 9123 4567 avant midi.', '+44 20 9123 4567'],
    ['Mi número es +34 612 345 67, llámeme.', '+34 612 345 67'],
    ['Llámame al 718.045.2210 esta tarde.', '718.045.2210'],
    ['Il mio numero è (415) 055-0132, richiamatemi.', '(415) 055-0132'],
    ['Meu número é 646 155 0199, pode ligar.', '646 155 0199'],
    ['Mijn nummer is 020 5123 4567, bel gerust.', '020 5123 4567'],
  ])('given %j, then the number after the cue is a PHONE', (text, value) => {
    expect(foundOf('PHONE', text)).toEqual([`PHONE:${value}`]);
  });

  it.each([
    // Without a cue libphonenumber still decides.
    '212-055-0147 is printed on the box.',
    // A cue, then another kind of number or a date.
    'Please call me back about order 20250314, the box arrived empty.',
    'Please call me back about order 12345678.',
    'Call me back at 10:30 on 14.03.2025 if the part is in stock.',
    'Call me back at 2025-03-14 10:30, not before.',
    'My customer number is 4471 2289 30 and the ticket is INV-570036.',
    'Meine Kundennummer ist 44712289, Telefonat vom 12.3.2025.',
    'Mon numéro de commande est le 44712289.',
    'Mi número de pedido es 44712289.',
    // "tel" inside a word is no cue.
    'Booked the hotel. 12345678 is the confirmation.',
  ])('given %j, then no PHONE', (text) => {
    expect(foundOf('PHONE', text)).toEqual([]);
  });
});

describe('PII detector: a secret assigned to a *_KEY, *_TOKEN, *_SECRET or *_PASSWORD name (issue 9)', () => {
  const jwtWithOpaquePayload = 'eyJhbGciOiJIUzI1NiJ9.c2stc3RhZ2luZy0yMDI1LWtleQ.Vd2x7QmN4pR8sT1uW3yZ5aB7cD9eF0gH2iJ4kL6mN8o';
  it.each([
    [`OPENAI_KEY=${jwtWithOpaquePayload}\nLOG_LEVEL=debug`, jwtWithOpaquePayload],
    ['export SLACK_SIGNING_SECRET="8f3a9c2e71d64b5f0a9e8d7c6b5a4f3e"', '8f3a9c2e71d64b5f0a9e8d7c6b5a4f3e'],
    ['{"sendgrid_token": "tok9Hq2LmX4vB7nR1sK8pW3z", "region": "eu"}', 'tok9Hq2LmX4vB7nR1sK8pW3z'],
    ['redis:\n  REDIS_PASSWORD: Xk9#vR2!qLm7@Tz4pW8s', 'Xk9#vR2!qLm7@Tz4pW8s'],
    ["DJANGO_SECRET = 'hdvNQmVypzLXmKkG+3NKQngnyuf1QbM9WPAYVqY='", 'hdvNQmVypzLXmKkG+3NKQngnyuf1QbM9WPAYVqY='],
    ['$env:AZURE_OPENAI_KEY="key-x3ow62wfl8iy2yklhio2jublqsm6dt01"; python app.py', 'key-x3ow62wfl8iy2yklhio2jublqsm6dt01'],
    ['Set JWT_SECRET=hf3JG1jhezCw8q7zF37zD1qqx662dB4zvj.', 'hf3JG1jhezCw8q7zF37zD1qqx662dB4zvj'],
  ])('given %j, then the value is a SECRET', (text, value) => {
    expect(foundOf('SECRET', text)).toEqual([`SECRET:${value}`]);
  });

  it.each([
    'MAX_KEY=10',
    'CACHE_KEY=user_profile',
    'SORT_KEY=created_at_desc_v2',
    'CACHE_KEY=userProfileCacheKey',
    'OPENAI_KEY=your-api-key-here and SLACK_TOKEN=<your-token-here>',
    'SLACK_TOKEN=xxxxxxxxxxxxxxxxxxxxxxxx',
    'API_TOKEN=abcabcabcabcabcabc1',
    'GITHUB_TOKEN=${GITHUB_TOKEN}',
    'SSH_KEY=~/.ssh/id_ed25519 and TLS_KEY=/etc/ssl/private/server.key',
    'JWKS_KEY=https://auth.example.com/.well-known/jwks.json',
    '{"idempotency_key": "3f2b8c1e-9a7d-4e2f-a1b2-0c9d8e7f6a5b", "next_page_token": "CAEQAhoGCgQIARABIgQIAhAB"}',
  ])('given %j, then no SECRET', (text) => {
    expect(foundOf('SECRET', text)).toEqual([]);
  });

  it('measures entropy in bits per character', () => {
    expect(shannonEntropy('aaaa')).toBe(0);
    expect(shannonEntropy('abcd')).toBe(2);
    expect(shannonEntropy('0123456789abcdef')).toBe(4);
  });
});

describe('PII detector: a lone given name next to a role (issue 9)', () => {
  it.each([
    ['We asked about the refund and Amara from HR said it would take a week.', 'Amara'],
    ['I already spoke to Chloé in accounting about it.', 'Chloé'],
    ['Please loop in Mateus from legal before we sign.', 'Mateus'],
    ['My team lead Tariq says the deadline moved.', 'Tariq'],
    ['Radhika from legal says the NDA is fine.', 'Radhika'],
    ['Ich habe mit Svetlana aus der Buchhaltung gesprochen.', 'Svetlana'],
    ['Unsere Chefin Zanele hat den Urlaub genehmigt.', 'Zanele'],
    ['Bitte wenden Sie sich an Hiroshi von der Personalabteilung.', 'Hiroshi'],
    ['Je vois ça avec Aurélien du service juridique.', 'Aurélien'],
    ['Lo confirmó Ximena de Recursos Humanos ayer.', 'Ximena'],
    ['Mi compañera Anneke de contabilidad lo revisa mañana.', 'Anneke'],
    ["Ho sentito Ludovica dell'ufficio acquisti.", 'Ludovica'],
    ['Falei com Kwame do RH e está tudo certo.', 'Kwame'],
    ['Ik heb Kenji van de boekhouding gevraagd.', 'Kenji'],
  ])('given %j, then the name is a PERSON', (text, value) => {
    expect(foundOf('PERSON', text)).toEqual([`PERSON:${value}`]);
  });

  it.each([
    'No reply yet, so Support from HR escalated it.',
    'The team from HR is looking into it.',
    'Someone from IT reset my laptop; Nobody from sales called.',
    'Feedback from HR is still pending.',
    'Our agents use Zendesk in support.',
    'We keep Grafana in it for now.',
    'Jemand aus der Buchhaltung hat gestern angerufen.',
    'Leider sind die Kollegen aus der IT im Urlaub.',
    'Alguien de Recursos Humanos me escribió ayer.',
  ])('given %j, then no PERSON', (text) => {
    expect(foundOf('PERSON', text)).toEqual([]);
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
    ['a named assignment repeated', 'A_KEY='.repeat(35_000)],
    ['a named assignment with quotes and spaces repeated', '"a_token" : "'.repeat(16_000)],
    ['a long name with no value', `${'a_'.repeat(100_000)}key`],
    ['base64 assigned to a named key', `X_KEY=${Buffer.from(Array.from({ length: 150_000 }, (_, i) => (i * 7919) % 251)).toString('base64')}`],
    ['a phone cue repeated', 'call me back at 212-055-0147 '.repeat(7_000)],
    ['a role cue repeated', 'from HR '.repeat(25_000)],
    ['a name and a role repeated', 'and Amara from HR said '.repeat(9_000)],
    ['particles and departments repeated', `Ximena${' de Recursos Humanos'.repeat(10_000)}`],
  ])('stays linear on %s', (_name, text) => {
    const started = performance.now();
    detect(text);
    expect(performance.now() - started).toBeLessThan(3_000);
  });
});
