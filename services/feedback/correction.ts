/**
 * Reads the user's next turn against the answer it replies to and says whether it corrects the
 * answer ("No…", "I meant…", "that's wrong") or asks the same question again. Rules, not a
 * model: they run in a reactor for every conversational turn, must give the same answer on every
 * replay, and say which rule fired (the evidence a reviewer checks). Measured on
 * correction-set.json (precision/recall printed by correction.unit.test.ts).
 */
import { detectLanguage, type Language } from '../../lib/language';

export interface TurnPair {
  /** The user's previous question (null when unknown). */
  readonly question: string | null;
  /** The answer the user saw. */
  readonly answer: string | null;
  /** The user's next turn. */
  readonly next: string;
}

export type Detection =
  | { readonly kind: 'correction'; readonly language: string; readonly rule: string }
  | { readonly kind: 'reask'; readonly language: string | null; readonly rule: string; readonly similarity: number }
  | { readonly kind: 'none' };

interface Rule {
  readonly name: string;
  readonly re: RegExp;
  /** Turn languages the rule does not apply to (a Spanish "No veo…" is a negation, not a "No,"). */
  readonly notIn?: readonly Language[];
  /**
   * An opener ("No", "Wait", "Actually") rather than a statement that the answer is wrong: it
   * does not count when the rest of the turn approves or only asks for more.
   */
  readonly weak?: boolean;
}

/**
 * `\b` in a JavaScript RegExp only knows ASCII letters, so "así," or "demandé " would not end a
 * word. Rules are written with `\b` and compiled with a boundary that knows every letter.
 */
const BOUNDARY = '(?:(?<![\\p{L}\\d])(?=[\\p{L}\\d])|(?<=[\\p{L}\\d])(?![\\p{L}\\d]))';
function r(pattern: RegExp): RegExp {
  return new RegExp(pattern.source.replaceAll('\\b', BOUNDARY), 'u');
}

function rules(list: readonly Rule[]): readonly Rule[] {
  return list.map((rule) => ({ ...rule, re: r(rule.re) }));
}

// Turns that open like a correction but are thanks, politeness or praise.
const NOT_A_CORRECTION: readonly Rule[] = rules([
  { name: 'en', re: /^(no|nope|nah)\b[\s,.!-]*(problem|worries|worry|thanks|thank you|need|rush|way|doubt|kidding)\b/ },
  { name: 'en', re: /^(no|nope|nah)\b[\s,.!-]*(that'?s|that is|it'?s|this is) (all|perfect|great|fine|good|it|everything)\b/ },
  { name: 'en', re: /^not bad\b/ },
  { name: 'es', re: /^no[\s,.!-]*(hay problema|pasa nada|gracias|te preocupes|est[áa] mal)\b/ },
  { name: 'de', re: /^(kein problem|nein[\s,.!-]*danke|nicht schlecht|passt schon)\b/ },
  { name: 'fr', re: /^(pas de (probl[èe]me|souci)|non[\s,.!-]*merci|pas mal|pas mauvais)\b/ },
]);

/** Each rule is matched on the normalised turn (lower case, straight quotes, no leading filler). */
const CORRECTIONS: Readonly<Record<'en' | 'es' | 'de' | 'fr', readonly Rule[]>> = {
  en: rules([
    { name: 'no', re: /^(no|nope|nah)\b(?! (one|longer|idea|matter)\b)/, notIn: ['es'], weak: true },
    { name: 'i-meant', re: /\bi (meant|mean|was asking about|was talking about)\b(?! to (ask|say)\b)/ },
    { name: 'thats-wrong', re: /\b(that'?s|that is|this is|it'?s|it is|you'?re|you are|that was|this was)( \w+)? (wrong|incorrect|inaccurate|not (right|correct|true|accurate|it|the (issue|problem|point)))\b/ },
    { name: 'wrong', re: /^(wrong|incorrect|not (quite|exactly|really|right|correct))\b|\b(the )?wrong (\w+ )?(answer|number|date|quarter|one|year|month|day|file|person|order|address|plan|account|language|product|city|amount|price|time|region)\b/ },
    { name: 'not-what-i-asked', re: /\bnot what i (asked|meant|wanted|said|need(ed)?)\b|\bi (asked|said|told you|specified)\b|\bi didn'?t ask\b/ },
    { name: 'misunderstood', re: /\b(you )?(misunderstood|misread|got it wrong|missed the (point|part)|ignored)\b|\byou (missed|forgot|left out)\b/ },
    { name: 'are-you-sure', re: /\b(are you sure|are you certain|you'?re mistaken|you are mistaken|i think you'?re wrong|you'?re (confusing|mixing)|(can'?t|cannot|couldn'?t) be (right|correct|true))\b/ },
    { name: 'doesnt-work', re: /\b(that|it|this) (doesn'?t|does not|didn'?t|did not) (work|help|include|apply|exist|compile|run)\b|\bstill (broken|wrong|failing|doesn'?t work)\b/ },
    { name: 'outdated', re: /\b(outdated|out of date|no longer (true|valid|correct|the case)|(has|have|policy) changed|not (allowed|available|true) anymore)\b/ },
    { name: 'is-off', re: /\b(is|are|seems?|looks?|sounds?) (off|wrong|incorrect|inaccurate)\b/ },
    { name: 'over-budget', re: /\b(over|above|exceeds?) my (budget|limit)\b/ },
    { name: 'already-tried', re: /\b(already (did|tried|done)( that| this| it)?|did (all )?that already|tried (that|this|it) already)\b.*\b(fail|fails|failed|doesn'?t|didn'?t|not work|error)\b/ },
    { name: 'wait', re: /^(wait|hang on|hold on)\b/, weak: true },
    { name: 'actually', re: /^actually\b/, weak: true },
    { name: 'x-not-y', re: /^[\p{L}\d' ]{1,30}, not [\p{L}\d' ]{1,30}[.!]?$/u },
  ]),
  es: rules([
    { name: 'no', re: /^no([\s]*[,.!;:]|\s+(es|era|son|eso|esto|me (refer[íi]a|refiero)|entendiste|me entendiste|fue|era eso)\b)/, weak: true },
    { name: 'ya-no', re: /^ya no\b/ },
    { name: 'quise-decir', re: /\b(me refer[íi]a|me refiero|quise decir|quer[íi]a decir|hablaba de)\b/ },
    { name: 'esta-mal', re: /\b(eso|esto) (no es (correcto|cierto|as[íi]|verdad|lo que)|est[áa] mal)\b|^(est[áa] mal|incorrecto|falso|err[óo]neo)\b|\best[áa] mal\b|\bes incorrecto\b/ },
    { name: 'te-equivocas', re: /\b(te equivocas|se equivoca|est[áa]s? equivocad[oa]|te has equivocado)\b|\bno es (correcto|cierto|verdad|exacto)\b/ },
    { name: 'no-entendiste', re: /\b(no es lo que (pregunt[ée]|ped[íi]|quer[íi]a|dije)|no (me )?entendiste|me has entendido mal|entendiste mal)\b/ },
    { name: 'dije', re: /\b(te (he )?pregunt(é|e|ado)|ya te (he )?dicho|te (he )?dicho|ya te dije|te dije|dije)\b/ },
    { name: 'en-realidad', re: /^en realidad\b/, weak: true },
    { name: 'seguro', re: /\best[áa]s? segur[oa]\b/ },
    { name: 'espera', re: /^(espera|un momento)\b/, weak: true },
    { name: 'incorrecto', re: /\b(n[úu]mero|trimestre|fecha|respuesta|d[íi]a|a[ñn]o|plan) (incorrect[oa]|equivocad[oa])\b|^ese no es\b/ },
    { name: 'cambio', re: /\b(ya no (es|se|est[áa]|son)|(pol[íi]tica|regla|norma) cambi[óo]|ha cambiado)\b/ },
    { name: 'x-no-y', re: /^[\p{L}\d' ]{1,30}, no [\p{L}\d' ]{1,30}[.!]?$/u },
  ]),
  de: rules([
    { name: 'nein', re: /^nein\b/, weak: true },
    { name: 'ich-meinte', re: /\b(ich meinte|ich meine (nicht|den|die|das)|gemeint war|ich rede von)\b/ },
    { name: 'falsch', re: /\b(das|es|dies) (ist|war) (falsch|nicht (richtig|korrekt|das|so))\b|\b(das )?stimmt (so )?nicht\b|^(falsch|stimmt nicht|nicht richtig)\b|\bfalsche[nrsm]? (personenzahl|antwort|zahl|quartal|datum|tag|jahr|monat|plan|adresse|betrag|region)\b|\b(das|dem) falschen?\b/ },
    { name: 'missverstanden', re: /\b(falsch verstanden|missverstanden|nicht verstanden, was)\b/ },
    { name: 'nicht-gefragt', re: /\bnicht,? was ich (gefragt|gemeint|wollte|gesagt)\b|\bich (habe|hatte|hab) (doch )?(gefragt|gesagt)\b|\b(habe|hatte|hab) ich (doch )?(gefragt|gesagt)\b|\bich sagte\b/ },
    { name: 'eigentlich', re: /^eigentlich\b/, weak: true },
    { name: 'sicher', re: /\b(bist du|sind sie) (dir |sich )?sicher\b/ },
    { name: 'moment', re: /^(moment|warte|halt|stopp)\b/, weak: true },
    { name: 'irrst', re: /\b(du irrst dich|sie irren sich|irrst dich|irren sich|liegst (du )?(daneben|falsch)|liegen sie (daneben|falsch))\b/ },
    { name: 'nicht-gewollt', re: /\b(das )?wollte ich nicht\b|\bnicht das,? was ich\b/ },
    { name: 'geaendert', re: /\b(hat sich ge[äa]ndert|nicht mehr (erlaubt|g[üu]ltig|aktuell|richtig)|veraltet)\b/ },
    { name: 'kann-nicht', re: /\b(kann nicht sein|funktioniert nicht|klappt nicht)\b/ },
    { name: 'x-nicht-y', re: /^[\p{L}\d' ]{1,30}, nicht [\p{L}\d' ]{1,30}[.!]?$/u },
  ]),
  fr: rules([
    { name: 'non', re: /^non\b/, weak: true },
    { name: 'plus-depuis', re: /^plus (depuis|maintenant|aujourd'hui)\b/ },
    { name: 'je-voulais-dire', re: /\b(je voulais dire|je parlais d[eu']|je parle d[eu']|je pensais [àa])\b/ },
    { name: 'cest-faux', re: /\berron[ée]e?\b|\bc'est (faux|incorrect|inexact|pas ([çc]a|ce que|juste|correct|vrai|exact|le bon|la bonne|bon))\b|\bce n'est (pas|plus) (ce que|juste|correct|vrai|exact|le bon|la bonne)\b|^(faux|incorrect|inexact)\b/ },
    { name: 'pas-compris', re: /\b(vous n'avez pas|tu n'as pas) compris\b|\bmal compris\b/ },
    { name: 'jai-dit', re: /\bje (vous |t')ai (demand[ée]|dit)\b|\bj'ai dit\b/ },
    { name: 'en-fait', re: /^en fait\b/, weak: true },
    { name: 'sur', re: /\b(vous [êe]tes|tu es|t'es) s[ûu]re?\b/ },
    { name: 'attends', re: /^(attends|attendez|une seconde)\b/, weak: true },
    { name: 'trompez', re: /\b(vous vous trompez|tu te trompes|te trompes|vous trompez)\b/ },
    { name: 'mauvais', re: /\b(mauvais|mauvaise)( \w+)? (nombre|r[ée]ponse|date|trimestre|ann[ée]e|jour|mois|adresse|montant|produit|ville|personne|fichier)\b|^(mauvais|mauvaise)\b/ },
    { name: 'a-change', re: /\b(a chang[ée]|n'est plus (valable|vrai|autoris[ée]|le cas|d'actualit[ée])|ne sont plus|plus autoris[ée]s?)\b/ },
    { name: 'x-pas-y', re: /^[\p{L}\d' ]{1,30}, pas [\p{L}\d' ]{1,30}[.!]?$/u },
  ]),
};

// A turn that approves, or only asks for something more, after a weak opener.
const APPROVES = r(/\b(perfect|exactly|great|thanks|thank you|that works|works now|fixed|all good|perfecto|genial|gracias|exacto|perfekt|genau|danke|alles gut|passt|parfait|merci|c'est bon|exactement)\b/);
const ASKS_MORE = r(/^\W*(\w+\W+){0,2}(can you also|could you also|and how|and what|y c[óo]mo|y qu[ée]|y para|und wie|und was|und wo|et pour|et comment|et que)\b|[,\s]+(also|además|auch|aussi)\b/);
const SAYS_WRONG = r(/\b(wrong|incorrect|not (right|correct|true|what)|mal|incorrect[oa]|falsch|faux|pas (ce|juste|vrai))\b/);

const REASK_MARKERS: readonly Rule[] = rules([
  { name: 'en', re: /\b(again|once more|my question was|you didn'?t answer|still don'?t (get|understand)|in simpler terms|rephrase)\b/ },
  { name: 'es', re: /\b(otra vez|de nuevo|repito|mi pregunta era|no (lo )?entiendo|no respondiste)\b/ },
  { name: 'de', re: /\b(nochmal|noch einmal|noch mal|meine frage war|verstehe (es|das) nicht|nicht beantwortet)\b/ },
  { name: 'fr', re: /\b(je repose ma question|encore une fois|r[ée]expliquer|ma question [ée]tait|je ne comprends pas|pas r[ée]pondu)\b/ },
]);

// Words that carry no topic: function words of the four languages plus politeness.
const STOPWORDS = new Set(
  (
    'a an the is are was were be been am do does did i you my me your we our it its this that these those to of in on at for with by from and or but ' +
    'what how when where which who why can could would should will may please thanks thank sorry again still just also any some there here ' +
    'then so if not no yes ok okay hi hey about into than too very get got have has had much many more most one off out up down ' +
    'el la los las un una unos unas es son era que qué de del en y o por para con mi mis tu tus su se lo le me te cómo como cuándo cuando dónde donde cuál cual ' +
    'cuánto cuánta cuántos cuántas hay está están ser al otra vez más entonces o no sí gracias favor puedo puedes ' +
    'der die das den dem des ein eine einen ist sind war und oder aber ich du sie er es wir ihr mein meine dein wie was wann wo warum welche ' +
    'mit für auf zu von im in nicht noch mal nochmal bitte danke kann kannst jetzt denn doch ja nein kommt ' +
    'le la les un une des du de est sont et ou mais je tu il elle nous vous mon ma mes ton ta tes son sa ses ce cette comment quand où pourquoi quel quelle ' +
    "qui que quoi pour avec sur dans par pas ne plus encore merci oui non c'est est-ce donc alors"
  ).split(/\s+/),
);

export function normaliseTurn(text: string): string {
  return text
    .toLowerCase()
    .replace(/[’‘`´]/g, "'")
    .replace(/[“”„«»]/g, '"')
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/^[\s"'¿¡([-]+/, '')
    .replace(/^((hm+|m{2,}|uh+|um+|erm|eh|well|oh|sorry|okay|ok|so|hey|ah|pues|bueno|oye|also|naja|euh|bah|bon|ben|alors)\b[\s,.!…-]*)+/, '');
}

function tokens(text: string): string[] {
  const words = text.toLowerCase().replace(/[’']/g, "'").match(/[\p{L}\d]+(?:'[\p{L}]+)?/gu) ?? [];
  return words.filter((w) => !STOPWORDS.has(w) && (w.length > 2 || /\d/.test(w)));
}

/** Same word, or one the other's inflection or compound head ("próxima"/"próximo", "Gehalt"/"Gehaltszahlung"). */
function sameWord(a: string, b: string): boolean {
  if (a === b) return true;
  const shorter = Math.min(a.length, b.length);
  if (shorter < 4) return false;
  let common = 0;
  while (common < shorter && a[common] === b[common]) common++;
  return common === shorter || common >= Math.max(4, Math.ceil(0.75 * shorter));
}

/** Share of the shorter turn's topic words that the other turn also has (0–1), and how many. */
export function topicOverlap(a: string, b: string): { share: number; shared: number } {
  const x = [...new Set(tokens(a))];
  const y = [...new Set(tokens(b))];
  if (x.length === 0 || y.length === 0) return { share: 0, shared: 0 };
  const [small, large] = x.length <= y.length ? [x, y] : [y, x];
  const shared = small.filter((w) => large.some((v) => sameWord(w, v))).length;
  return { share: shared / small.length, shared };
}

export function detect(pair: TurnPair): Detection {
  const next = normaliseTurn(pair.next);
  if (next.length === 0) return { kind: 'none' };
  const polite = NOT_A_CORRECTION.some((rule) => rule.re.test(next));
  if (!polite) {
    const spoken = detectLanguage(pair.next);
    for (const [language, list] of Object.entries(CORRECTIONS)) {
      for (const rule of list) {
        if (rule.notIn?.includes(spoken) || !rule.re.test(next)) continue;
        if (rule.weak && (APPROVES.test(next) || ASKS_MORE.test(next)) && !SAYS_WRONG.test(next)) continue;
        return { kind: 'correction', language, rule: `${language}:${rule.name}` };
      }
    }
  }
  if (pair.question) {
    const { share, shared } = topicOverlap(pair.question, pair.next);
    if (shared >= 2 && share >= 0.6) return { kind: 'reask', language: null, rule: 'reask:overlap', similarity: round(share) };
    const marker = REASK_MARKERS.find((rule) => rule.re.test(next));
    if (marker && (shared >= 1 || /\b(understand|entiendo|verstehe|comprends)\b/.test(next))) {
      return { kind: 'reask', language: marker.name, rule: `${marker.name}:reask-marker`, similarity: round(share) };
    }
  }
  return { kind: 'none' };
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}
