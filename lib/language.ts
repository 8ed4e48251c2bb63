/**
 * A small language guesser for segmenting traffic and choosing correction rules: common function
 * words plus a few letters only one of the four languages uses. Good enough to tell English,
 * Spanish, German and French apart in a sentence or two; everything else is `other`, and text
 * with no clue at all is `unknown`. Not a general language identifier, on purpose: the
 * segments only need to be stable and cheap (it runs in a projection for every interaction).
 */
export const LANGUAGES = ['en', 'es', 'de', 'fr', 'other', 'unknown'] as const;
export type Language = (typeof LANGUAGES)[number];

const WORDS: Record<'en' | 'es' | 'de' | 'fr', readonly string[]> = {
  en: ['the', 'is', 'are', 'and', 'you', 'what', 'how', 'my', 'i', 'to', 'of', 'it', 'that', 'this', 'do', 'can', 'not', 'no', 'meant', 'wrong', 'please', 'with', 'for', 'in', 'was', 'why', 'when', 'where', 'which', 'me', 'your', 'have', 'does', 'did', 'yes', 'thanks', 'a', 'an', 'on', 'be', 'get'],
  es: ['el', 'la', 'los', 'las', 'es', 'y', 'que', 'qué', 'de', 'en', 'un', 'una', 'por', 'para', 'con', 'no', 'mi', 'cómo', 'como', 'está', 'eso', 'esto', 'quise', 'decir', 'pero', 'gracias', 'sí', 'se', 'lo', 'del', 'al', 'me', 'te', 'muy', 'hay', 'puedo', 'cuál', 'dónde', 'cuándo'],
  de: ['der', 'die', 'das', 'ist', 'und', 'nicht', 'ich', 'du', 'wie', 'was', 'mein', 'meine', 'ein', 'eine', 'mit', 'für', 'auf', 'zu', 'es', 'nein', 'ja', 'falsch', 'meinte', 'bitte', 'danke', 'sie', 'wo', 'wann', 'warum', 'kann', 'habe', 'den', 'dem', 'von', 'aber', 'doch', 'noch', 'auch', 'mir', 'mich'],
  fr: ['le', 'la', 'les', 'est', 'et', 'que', 'qui', 'de', 'des', 'du', 'un', 'une', 'je', 'tu', 'vous', 'pas', 'ne', 'non', 'mon', 'ma', 'mes', 'comment', 'pour', 'avec', 'sur', 'dans', 'ce', "c'est", 'voulais', 'dire', 'merci', 'oui', 'faux', 'quoi', 'où', 'quand', 'pourquoi', 'est-ce', 'il', 'elle'],
};

const LETTERS: Record<'es' | 'de' | 'fr', RegExp> = {
  es: /[ñ¿¡]/,
  de: /[ßäöü]/,
  fr: /[çœèêëàâîïûù]/,
};

const WORD_SETS = Object.fromEntries(Object.entries(WORDS).map(([lang, words]) => [lang, new Set(words)]));

export function detectLanguage(text: string | null | undefined): Language {
  if (!text) return 'unknown';
  const lower = text.toLowerCase();
  // Scripts the four languages do not use: CJK, Cyrillic, Arabic, Hebrew, Devanagari, Greek, Thai.
  if (/[\p{Script=Greek}\p{Script=Cyrillic}\p{Script=Hebrew}\p{Script=Arabic}\p{Script=Devanagari}\p{Script=Thai}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Han}\p{Script=Hangul}]/u.test(lower)) return 'other';
  const words = lower.match(/[\p{L}'-]+/gu) ?? [];
  if (words.length === 0) return 'unknown';
  const scores: Record<string, number> = { en: 0, es: 0, de: 0, fr: 0 };
  for (const word of words) {
    for (const [lang, set] of Object.entries(WORD_SETS)) if (set.has(word)) scores[lang] = (scores[lang] ?? 0) + 1;
  }
  for (const [lang, re] of Object.entries(LETTERS)) if (re.test(lower)) scores[lang] = (scores[lang] ?? 0) + 2;
  // "qué", "á", "é", "í", "ó", "ú" are Spanish more often than French when no French letter showed.
  if (/[áíóú]/.test(lower)) scores['es'] = (scores['es'] ?? 0) + 1;
  let best: Language = 'unknown';
  let bestScore = 0;
  for (const lang of ['en', 'es', 'de', 'fr'] as const) {
    const score = scores[lang] ?? 0;
    if (score > bestScore) {
      best = lang;
      bestScore = score;
    }
  }
  if (bestScore === 0) return words.length >= 3 ? 'other' : 'unknown';
  return best;
}
