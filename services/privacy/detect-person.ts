import nlp from 'compromise';
import { matches, type Finder } from './detect-structured';

/**
 * Person names, from compromise's lexicon (≈4,000 first and last names, honorifics, and the
 * tags of ≈20,000 common words) applied to runs of capitalised words, with the cues people use
 * around names ("my name is", "Dear", "Dr.").
 *
 * Why not compromise's full tagger (`nlp(text).people()`)? It is the better judge of an
 * ambiguous sentence, but costs about a millisecond per sentence here: two orders of magnitude
 * over the write path's budget (5 MB/s). Its lexicon, which is what the tagger mostly decides
 * names with, costs a property lookup.
 */

type Kind = 'first' | 'last' | 'honorific' | 'other' | 'unknown';

function loadLexicon(): Map<string, Kind> {
  const model: object = nlp.model();
  const one = 'one' in model && typeof model.one === 'object' && model.one !== null ? model.one : null;
  const raw: unknown = one && 'lexicon' in one ? one.lexicon : null;
  if (!raw || typeof raw !== 'object') throw new Error('compromise: no lexicon in its model');
  const kinds = new Map<string, Kind>();
  for (const [word, value] of Object.entries(raw)) {
    const tags: unknown[] = Array.isArray(value) ? value : [value];
    const has = (tag: string) => tags.includes(tag);
    const kind: Kind = has('Honorific')
      ? 'honorific'
      : has('FirstName') || has('MaleName') || has('FemaleName') || has('Person')
        ? 'first'
        : has('LastName')
          ? 'last'
          : 'other';
    kinds.set(word, kind);
  }
  return kinds;
}

const LEXICON = loadLexicon();

// compromise's lexicon is English; these capitalised function words of the other languages the
// service sees (German capitalises its polite pronouns) are not names either.
const FUNCTION_WORDS = new Set([
  'sie', 'ihre', 'ihr', 'ihnen', 'ihren', 'ihrer', 'ich', 'wir', 'der', 'die', 'das', 'den', 'dem', 'ein', 'eine', 'bitte', 'danke', 'vielen',
  'rufen', 'schicken', 'senden', 'liebe', 'meine', 'mein', 'unser', 'vous', 'nous', 'merci', 'veuillez', 'pouvez', 'votre', 'usted', 'ustedes',
  'envíen', 'por', 'mi', 'su', 'il', 'la', 'le', 'les', 'el', 'los', 'las', 'lei', 'potete', 'pode', 'obrigado', 'bel', 'stort', 'mijn',
  'unsere', 'unserer', 'unserem', 'unseren', 'meiner', 'meinem', 'meinen',
  // Pronouns for someone or no one ("Jemand aus der IT", "Alguien de Recursos Humanos").
  'jemand', 'niemand', 'alle', "quelqu'un", 'quelqu’un', 'personne', 'alguien', 'nadie', 'todos', 'qualcuno', 'nessuno', 'alguém', 'ninguém', 'iemand',
]);

for (const word of FUNCTION_WORDS) LEXICON.set(word, 'other');

function kindOf(word: string): Kind {
  // "I'm", "I've", "I'll": the pronoun with a contraction, which the word pattern also matches.
  if (word.length <= 4 && (word.startsWith("I'") || word.startsWith('I’'))) return 'other';
  return LEXICON.get(word.toLowerCase()) ?? 'unknown';
}

// A capitalised word: starts upper-case, ends lower-case (so acronyms are not names), may hold
// apostrophes and hyphens (O'Brien, Jean-Luc) and carry an Arabic or Romance particle (al-Sayed, d'Arcy).
// Bounded (a word of a name is under 40 letters): an unbounded run makes long capitalised blobs quadratic.
const WORD = "(?:(?:al|el|d|l)[-'’])?\\p{Lu}[\\p{L}\\p{M}'’-]{0,40}[\\p{Ll}\\p{M}]";
const PARTICLE = 'van der|van den|van de|van|von der|von|de la|de los|del|della|de|der|den|da|di|dos|das|du|la|le|ten|ter|bin|ibn|y';
// Runs start at a capital (a cheap first-character test for the regex engine); the letter before
// is checked by hand, which is much cheaper than a Unicode look-behind at every position.
const NAME_RUN_RE = new RegExp(`${WORD}(?:[ \\t]{1,3}(?:(?:${PARTICLE})[ \\t]{1,3})?${WORD}){0,3}(?![\\p{L}\\p{M}])`, 'gu');
const LETTER_BEFORE_RE = /[\p{L}\p{M}'’-]$/u;

// What people write right before a name, in the languages the corpus speaks: the last one, two
// or three words before it, lower-cased, without trailing punctuation. Set lookups, not regexes:
// this runs for every capitalised run of every text.
const CUES = new Set([
  'my name is', 'name is', 'name', 'name:', 'from:', 'to:', 'i am', "i'm", 'i’m', 'this is', 'called', 'named', 'ask for', 'ask', 'contact', 'attn', 'dear', 'hi',
  'hello', 'hey', 'thanks', 'thank you', 'regards', 'cheers', 'best', 'sincerely', 'cc', 'cc:', 'signed', 'patient', 'customer',
  'client', 'employee', 'user', 'colleague', 'manager', 'wife', 'husband', 'mother', 'father', 'son', 'daughter', 'reporter', 'holder',
  'mein name ist', 'ich bin', 'ich heiße', 'hallo', 'liebe', 'lieber', 'je suis', "je m'appelle", 'je m’appelle', 'bonjour', 'cher', 'chère',
  'me llamo', 'mi nombre es', 'soy', 'hola', 'estimado', 'estimada', 'a nombre de', 'mi chiamo', 'sono', 'ciao', 'gentile', 'caro', 'cara',
  'intestato a', 'olá', 'meu nome é', 'chamo-me', 'obrigado', 'obrigada', 'ik ben', 'hej', 'hallå', 'contacter', 'llame a',
]);
// Roles people name a colleague by ("our manager Priya", "meine Kollegin Svetlana", "mi compañera
// Ximena"): cues before a name like the ones above. German capitalises them, so there they may
// open a run of capitalised words ("Unsere Chefin Zanele"); there a determiner must come first.
const ROLE_NOUNS = [
  'colleague', 'manager', 'boss', 'supervisor', 'lead', 'coworker', 'co-worker', 'teammate', 'recruiter', 'director', 'kollege', 'kollegin', 'chef',
  'chefin', 'vorgesetzte', 'vorgesetzter', 'teamleiter', 'teamleiterin', 'managerin', 'ansprechpartner', 'ansprechpartnerin', 'collègue',
  'responsable', 'directeur', 'directrice', 'compañero', 'compañera', 'jefe', 'jefa', 'gerente', 'colega', 'collega', 'responsabile', 'chefe',
  'leidinggevende',
];
for (const role of ROLE_NOUNS) CUES.add(role);
const ROLE_NOUN_SET = new Set(ROLE_NOUNS);
// Possessives and articles, before a role noun that opens a run.
const DETERMINERS = new Set([
  'my', 'our', 'your', 'his', 'her', 'their', 'the', 'mein', 'meine', 'unser', 'unsere', 'dein', 'deine', 'sein', 'seine', 'ihr', 'ihre', 'die', 'der',
  'mon', 'ma', 'notre', 'votre', 'son', 'sa', 'mi', 'nuestro', 'nuestra', 'su', 'tu', 'il', 'la', 'mio', 'mia', 'nostro', 'nostra', 'meu', 'minha',
  'nosso', 'nossa', 'o', 'a', 'mijn', 'onze', 'de', 'het',
]);
const HONORIFICS = new Set([
  'mr', 'mrs', 'ms', 'miss', 'mx', 'dr', 'prof', 'sir', 'dame', 'lady', 'lord', 'herr', 'frau', 'mme', 'mlle', 'm', 'sr', 'sra', 'srta',
  'sig', 'sigra', 'dott', 'dottssa', 'dña', 'don', 'doña', 'hr', 'fr', 'monsieur', 'madame', 'señor', 'señora', 'signor', 'signora',
  'mevrouw', 'meneer', 'dhr', 'mevr',
]);
const GREETING_WORDS = new Set(['hi', 'hello', 'hey', 'dear', 'thanks', 'cheers', 'regards', 'hallo', 'liebe', 'lieber', 'bonjour', 'hola', 'ciao', 'olá', 'hej', 'gentile', 'caro', 'cara', 'estimado', 'estimada']);
// Quotes are not here: in JSON (tool arguments) every value starts with one.
const SENTENCE_END = new Set(['.', '!', '?', '\n', '(', ':', '>']);
const PARTICLES = new Set(PARTICLE.split('|').flatMap((p) => p.split(' ')));

// ---- a role cue after a name: "Priya from HR", "Svetlana aus der Buchhaltung", "Aurélien du service juridique"

const DEPARTMENTS = [
  'HR', 'human resources', 'IT', 'finance', 'legal', 'support', 'accounting', 'accounts', 'sales', 'marketing', 'payroll', 'procurement', 'purchasing',
  'security', 'compliance', 'engineering', 'operations', 'ops', 'billing', 'customer service', 'customer success', 'customer care', 'admin',
  'reception', 'facilities', 'logistics', 'recruiting', 'helpdesk', 'help desk', 'QA',
  'personalabteilung', 'personal', 'buchhaltung', 'lohnbuchhaltung', 'vertrieb', 'einkauf', 'rechtsabteilung', 'kundenservice', 'kundendienst',
  'verwaltung', 'empfang', 'logistik', 'finanzabteilung', 'controlling',
  'RH', 'ressources humaines', 'compta', 'comptabilité', 'juridique', 'informatique', 'ventes', 'achats', 'paie', 'direction', 'accueil', 'SAV', 'client',
  'RRHH', 'recursos humanos', 'contabilidad', 'ventas', 'soporte', 'jurídico', 'compras', 'TI', 'sistemas', 'finanzas', 'administración', 'nóminas',
  'atención al cliente', 'risorse umane', 'contabilità', 'acquisti', 'vendite', 'amministrazione', 'legale', 'assistenza', 'personale',
  'contabilidade', 'suporte', 'vendas', 'financeiro', 'personeelszaken', 'boekhouding', 'juridische zaken', 'klantenservice', 'verkoop', 'inkoop',
  'financiën',
];
// Lower-case words also match capitalised (German nouns, "Recursos Humanos"); acronyms only as
// written, so "in it" is not "in IT".
const anyCase = (phrase: string) =>
  phrase
    .split(' ')
    .map((w) => (w === w.toUpperCase() ? w : `[${w.charAt(0)}${w.charAt(0).toUpperCase()}]${w.slice(1)}`))
    .join('[ \\t]{1,3}');
const PREPOSITIONS = 'from|in|at|of|with|aus|von|vom|im|bei|beim|du|de|des|au|del|en|della|dal|di|do|da|no|na|van|bij';
const ARTICLES = 'the|der|dem|la|los|las|het|de';
const UNITS = 'service|département|departamento|ufficio|abteilung|afdeling|team|department|équipe|equipo|reparto|área|setor';
// Sticky at the end of a name: the preposition, maybe an article and a unit ("du service"), the department.
const ROLE_AFTER_RE = new RegExp(
  `[ \\t]{1,3}(?:(?:${PREPOSITIONS})(?:[ \\t]{1,3}(?:${ARTICLES}))?[ \\t]{1,3}|(?:de l|dell|dall|nell|all|d)['’])` +
    `(?:(?:${UNITS})[ \\t]{1,3}(?:(?:de|del|di|du|des|van)[ \\t]{1,3}|d['’])?)?(?:${DEPARTMENTS.map(anyCase).join('|')})(?![\\p{L}\\p{M}\\p{N}])`,
  'uy',
);
// The first word of each department, for cutting "Ximena de Recursos Humanos" after the name.
const DEPARTMENT_HEADS = new Set(DEPARTMENTS.map((d) => (d.split(' ')[0] ?? '').toLowerCase()));
// At a sentence start a capitalised word may be any noun ("Feedback from HR is pending"); there a
// role cue counts only with a verb that takes a person after it ("Radhika from legal says").
const PERSON_VERB_RE =
  /(?:[ \t]{1,3}(?:team|department|office))?[ \t,]{1,3}(?:said|says|asked|asks|told|tells|wrote|writes|called|calls|replied|replies|confirmed|confirms|mentioned|emailed|thinks|wants|approved|suggested|promised|explained|sagt|sagte|meint|meinte|schreibt|schrieb|ruft|rief|bestätigt|bestätigte|dit|a dit|pense|a confirmé|a appelé|dijo|dice|confirmó|llamó|escribió|ha detto|ha confermato|disse|diz|confirmou|ligou|zei|zegt|belt|belde|schreef)(?![\p{L}])/uy;
// Before the name, these make it a thing: "the Jira in support", "use Grafana in finance", and in
// German, which capitalises every noun, "die Kollegen aus der IT". (Not the Romance articles:
// Romance nouns are not capitalised, and Italian and Portuguese put them before names, "a Ana do RH".)
const NOT_BEFORE_A_ROLE = new Set([
  'the', 'this', 'that', 'these', 'those', 'some', 'any', 'every', 'each', 'all', 'no', 'its', 'my', 'our', 'your', 'his', 'her', 'their',
  'der', 'die', 'das', 'den', 'dem', 'des', 'ein', 'eine', 'einen', 'einem', 'einer', 'mein', 'meine', 'unser', 'unsere', 'sein', 'seine', 'ihre',
  'use', 'uses', 'used', 'using', 'run', 'runs', 'running', 'deploy', 'deployed', 'install', 'installed', 'configure', 'configured', 'migrate',
  'migrated', 'upgrade', 'upgraded', 'open', 'opened',
]);

function roleAfter(text: string, end: number, previous: readonly string[], sentenceStart: boolean): boolean {
  if (NOT_BEFORE_A_ROLE.has(previous[previous.length - 1] ?? '')) return false;
  ROLE_AFTER_RE.lastIndex = end;
  if (!ROLE_AFTER_RE.test(text)) return false;
  if (!sentenceStart) return true;
  PERSON_VERB_RE.lastIndex = ROLE_AFTER_RE.lastIndex;
  return PERSON_VERB_RE.test(text);
}

/** The last `n` words before a position, lower-cased, trailing punctuation stripped. */
function wordsBefore(before: string): string[] {
  const tokens = before.trimEnd().split(/\s+/).slice(-3);
  // A colon stays: "From:" and "To:" head an address, "from" and "to" head anything.
  return tokens.map((t) => t.toLowerCase().replace(/[,;]+$/, ''));
}

function wordBefore(text: string, at: number): string {
  return wordsBefore(text.slice(Math.max(0, at - 32), at)).at(-1) ?? '';
}

function cueBefore(words: readonly string[]): boolean {
  const n = words.length;
  const last = words[n - 1] ?? '';
  return (
    CUES.has(last) ||
    CUES.has(last.replace(/:$/, '')) ||
    (n >= 2 && CUES.has(`${words[n - 2]} ${words[n - 1]}`)) ||
    (n >= 3 && CUES.has(`${words[n - 3]} ${words[n - 2]} ${words[n - 1]}`))
  );
}

function honorificBefore(words: readonly string[]): boolean {
  const last = words[words.length - 1];
  return last !== undefined && HONORIFICS.has(last.replace(/\./g, ''));
}

interface Word {
  readonly text: string;
  readonly start: number;
  readonly kind: Kind;
  readonly afterParticle: boolean;
}

/** The capitalised words of a run, with their offsets in the text (particles are skipped). */
function wordsOf(run: string, offset: number): Word[] {
  const words: Word[] = [];
  let at = 0;
  let afterParticle = false;
  for (const token of run.split(/[ \t]+/)) {
    const start = run.indexOf(token, at);
    at = start + token.length;
    const first = token.charAt(0);
    if (first !== first.toLowerCase() || /^(?:al|el|d|l)[-'’]/.test(token)) {
      // After "van der", "de", "al" comes a surname, whatever else the word means (Berg, Vries, Costa).
      words.push({ text: token, start: offset + start, kind: afterParticle ? 'last' : kindOf(token), afterParticle });
      afterParticle = false;
    } else afterParticle = PARTICLES.has(token);
  }
  return words;
}

export const findPeople: Finder = (text, out) => {
  for (const m of matches(NAME_RUN_RE, text)) {
    // Inside a word (McDonald's "Donald", camelCase identifiers): not a run start.
    if (m.index > 0 && LETTER_BEFORE_RE.test(text[m.index - 1] ?? '')) continue;
    const words = wordsOf(m[0], m.index);
    // "Hiroshi von der Personalabteilung": a department after a particle is not a surname.
    const department = words.findIndex((w, i) => i > 0 && w.afterParticle && DEPARTMENT_HEADS.has(w.text.toLowerCase()));
    if (department > 0) words.length = department;
    let greeting = false;
    let prior: string | undefined;
    // Leading common words ("Please", "The", "Hi") are not part of a name; a greeting among them is
    // a cue, and so is a role after a determiner ("Unsere Chefin").
    for (let first = words[0]; first; first = words[0]) {
      const lower = first.text.toLowerCase();
      if (GREETING_WORDS.has(lower)) greeting = true;
      else if (ROLE_NOUN_SET.has(lower) && DETERMINERS.has(prior ?? wordBefore(text, m.index))) greeting = true;
      else if (first.kind !== 'other') break;
      prior = lower;
      words.shift();
    }
    while (words.length > 0 && words[words.length - 1]?.kind === 'other') words.pop();
    const head = words[0];
    const tail = words[words.length - 1];
    if (!head || !tail) continue;
    const names = words.filter((w) => w.kind !== 'honorific');
    const end = tail.start + tail.text.length;
    // A known multi-word place or organisation ("San Francisco", "New York") is not a name.
    if (names.length > 1 && LEXICON.has(text.slice(head.start, end).toLowerCase())) continue;
    const kinds = names.map((w) => w.kind);
    if (isPerson(kinds, text, head, end, greeting)) out.push({ type: 'PERSON', start: names[0]?.start ?? head.start, end });
  }
};

/**
 * Decides a run from its words first; the context before it (cues, honorifics, a sentence
 * start) is only read when the words alone do not decide.
 */
function isPerson(kinds: readonly Kind[], text: string, head: Word, end: number, greeting: boolean): boolean {
  if (kinds.length === 0) return false;
  let others = 0;
  let firsts = 0;
  let lasts = 0;
  for (const k of kinds) {
    if (k === 'other') others++;
    else if (k === 'first') firsts++;
    else if (k === 'last') lasts++;
  }
  if (firsts > 0 && kinds.length > 1 && others <= kinds.length - 2) return true;
  if (kinds.length === 1 && kinds[0] === 'first') return true;
  const before = text.slice(Math.max(0, head.start - 32), head.start);
  const previous = wordsBefore(before);
  if (head.kind === 'honorific' || honorificBefore(previous)) return others === 0 || kinds.length > 1;
  const cue = greeting || cueBefore(previous);
  const trimmed = before.trimEnd();
  const afterSentenceEnd = trimmed === '' || SENTENCE_END.has(trimmed.charAt(trimmed.length - 1));
  // One word: a known first name (above), or an unknown word right after a cue ("I'm Priya") or
  // before a role ("Priya from HR").
  if (kinds.length === 1) return kinds[0] !== 'other' && (cue || roleAfter(text, end, previous, afterSentenceEnd));
  if (others > 0) return false;
  if (lasts > 0 || cue) return true;
  // Capitalised unknown words mid-sentence are names far more often than not; at a sentence start
  // (headings, product names) only with another hint.
  const sentenceStart = afterSentenceEnd && !/^[ \t]+\p{Ll}/u.test(text.slice(end, end + 3));
  return !sentenceStart;
}
