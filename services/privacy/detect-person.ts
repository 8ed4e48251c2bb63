import nlp from 'compromise';
import type { Finder } from './detect-structured';

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

function loadLexicon(): ReadonlyMap<string, Kind> {
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

function kindOf(word: string): Kind {
  // "I'm", "I've", "I'll": the pronoun with a contraction, which the word pattern also matches.
  if (word.length <= 4 && (word.startsWith("I'") || word.startsWith('I’'))) return 'other';
  return LEXICON.get(word.toLowerCase()) ?? 'unknown';
}

// A capitalised word: starts upper-case, ends lower-case (so acronyms are not names), may hold
// apostrophes and hyphens (O'Brien, Jean-Luc) and carry an Arabic or Romance particle (al-Sayed, d'Arcy).
const WORD = "(?:(?:al|el|d|l)[-'’])?\\p{Lu}[\\p{L}\\p{M}'’-]*[\\p{Ll}\\p{M}]";
const PARTICLE = 'van der|van den|van de|van|von der|von|de la|de los|del|della|de|der|den|da|di|dos|das|du|la|le|ten|ter|bin|ibn|y';
const NAME_RUN_RE = new RegExp(`(?<![\\p{L}\\p{M}'’-])${WORD}(?:[ \\t]+(?:(?:${PARTICLE})[ \\t]+)?${WORD}){0,3}(?![\\p{L}\\p{M}])`, 'gu');
const WORD_RE = new RegExp(WORD, 'gu');

// What people write right before a name, in the languages the corpus speaks.
const CUE_BEFORE_RE =
  /(?:my name is|name is|i am|i'm|this is|name:|called|named|ask for|ask|contact|attn:?|dear|hi|hello|hey|thanks,?|thank you,?|regards,?|cheers,?|best,?|sincerely,?|from:|to:|cc:?|signed|patient|customer|client|employee|user|colleague|manager|mein name ist|ich bin|ich heiße|hallo|liebe[r]?|sehr geehrte[r]?|je m'appelle|je suis|bonjour|cher|chère|me llamo|mi nombre es|soy|hola|estimad[oa]|mi chiamo|sono|ciao|gentile|caro|cara|olá|meu nome é|chamo-me|hej|hallå)[\s,:]*$/i;
const HONORIFIC_BEFORE_RE =
  /(?:\b(?:Mr|Mrs|Ms|Miss|Mx|Dr|Prof|Sir|Dame|Lady|Lord|Herr|Frau|Mme|Mlle|M|Sr|Sra|Srta|Sig|Sig\.ra|Dott|Dott\.ssa|Dña|Don|Doña|Hr|Fr)\.?|\bmonsieur|\bmadame|\bseñor|\bseñora|\bsignor|\bsignora)\s+$/i;
const SENTENCE_START_RE = /(?:^|[.!?\n]\s*|["“(]\s*)$/;
const GREETING_WORDS = new Set(['hi', 'hello', 'hey', 'dear', 'thanks', 'cheers', 'regards', 'hallo', 'liebe', 'lieber', 'bonjour', 'hola', 'ciao', 'olá', 'hej', 'gentile', 'caro', 'cara', 'estimado', 'estimada']);

export const findPeople: Finder = (text, out) => {
  for (const m of text.matchAll(NAME_RUN_RE)) {
    const words = [...m[0].matchAll(WORD_RE)].map((w) => ({ text: w[0], start: m.index + w.index, kind: kindOf(w[0]) }));
    let cue = false;
    // Leading common words ("Please", "The", "Hi") are not part of a name; a greeting among them is a cue.
    while (words.length > 0 && words[0]?.kind === 'other') {
      const first = words.shift();
      if (first && GREETING_WORDS.has(first.text.toLowerCase())) cue = true;
    }
    while (words.length > 0 && words[words.length - 1]?.kind === 'other') words.pop();
    const head = words[0];
    const tail = words[words.length - 1];
    if (!head || !tail) continue;
    const before = text.slice(Math.max(0, head.start - 24), head.start);
    if (!cue) cue = CUE_BEFORE_RE.test(before);
    const honorific = HONORIFIC_BEFORE_RE.test(before) || head.kind === 'honorific';
    const names = words.filter((w) => w.kind !== 'honorific');
    const end = tail.start + tail.text.length;
    // A known multi-word place or organisation ("San Francisco", "New York") is not a name.
    if (names.length > 1 && LEXICON.has(text.slice(head.start, end).toLowerCase())) continue;
    const sentenceStart = SENTENCE_START_RE.test(before) && !/^[ \t]+\p{Ll}/u.test(text.slice(end, end + 3));
    if (isPerson(names.map((w) => w.kind), { cue, honorific, sentenceStart })) {
      const start = names[0]?.start ?? head.start;
      out.push({ type: 'PERSON', start, end });
    }
  }
};

function isPerson(kinds: readonly Kind[], at: { cue: boolean; honorific: boolean; sentenceStart: boolean }): boolean {
  if (kinds.length === 0) return false;
  const others = kinds.filter((k) => k === 'other').length;
  const firsts = kinds.filter((k) => k === 'first').length;
  const lasts = kinds.filter((k) => k === 'last').length;
  if (at.honorific) return others === 0 || kinds.length > 1;
  if (kinds.length === 1) {
    // One word: a known first name, or an unknown word right after a cue ("I'm Priya").
    return kinds[0] === 'first' || (at.cue && kinds[0] !== 'other');
  }
  if (firsts > 0 && others <= kinds.length - 2) return true;
  if (others > 0) return false;
  if (lasts > 0 || at.cue) return true;
  // Capitalised unknown words mid-sentence are names far more often than not; at a sentence start
  // (headings, product names) only with another hint.
  return !at.sentenceStart;
}
