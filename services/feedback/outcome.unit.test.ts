import type { SignalRecordedData } from '../../events/catalogue/feedback';
import { normalisedEditDistance } from './edit-distance';
import { detectLanguage } from '../../lib/language';
import { changed, DEFAULT_WEIGHTS, featuresOf, infer, sigmoid } from './outcome';
import { signalRecorded, thumbs } from './test-fixtures';

function data(...contents: Parameters<typeof signalRecorded>[0][]): SignalRecordedData[] {
  return contents.flatMap((c) => {
    const e = signalRecorded(c);
    return e.type === 'SignalRecorded' ? [e.data] : [];
  });
}
const base = { interactionId: 'i', source: 'client' as const };

describe('triangulation', () => {
  it('leaves an interaction without quality signals without an outcome', () => {
    expect(infer(featuresOf([]), DEFAULT_WEIGHTS)).toBeNull();
    // A thumb on speed is about latency, never about quality.
    expect(infer(featuresOf(data(thumbs('i', false, 's', 'speed'))), DEFAULT_WEIGHTS)).toBeNull();
  });

  it('trusts no single implicit signal alone, but agreeing signals and explicit thumbs decide', () => {
    const copy = { ...base, signalId: 'c', type: 'copied' as const, fraction: 1 };
    const follow = { ...base, signalId: 'f', type: 'followUp' as const, reask: false, evidence: null };
    const stop = { ...base, signalId: 's', type: 'stopped' as const, tokensReceived: 12 };
    const regen = { ...base, signalId: 'r', type: 'regenerated' as const, replacementInteractionId: null };
    expect(infer(featuresOf(data(copy)), DEFAULT_WEIGHTS)?.outcome).toBe('unknown');
    expect(infer(featuresOf(data(stop)), DEFAULT_WEIGHTS)?.outcome).toBe('unknown');
    expect(infer(featuresOf(data(copy, follow)), DEFAULT_WEIGHTS)?.outcome).toBe('good');
    expect(infer(featuresOf(data(stop, regen)), DEFAULT_WEIGHTS)?.outcome).toBe('bad');
    expect(infer(featuresOf(data(thumbs('i', true))), DEFAULT_WEIGHTS)).toEqual({ outcome: 'good', confidence: 0.924, score: 2.5 });
    // Conflicting evidence cancels out: a thumbs up against a stop, a regeneration and a re-ask.
    const reask = { ...base, signalId: 'q', type: 'followUp' as const, reask: true, evidence: null };
    expect(infer(featuresOf(data(thumbs('i', true), stop, regen, reask)), DEFAULT_WEIGHTS)?.outcome).toBe('unknown');
  });

  it('counts a repeated signal once (features are maxima)', () => {
    const copy = (id: string, fraction: number) => ({ ...base, signalId: id, type: 'copied' as const, fraction });
    expect(featuresOf(data(copy('a', 0.2), copy('b', 0.6), copy('c', 0.4))).features.copied).toBe(0.6);
  });

  it('records again only when the label changes or the confidence moves by 0.05 or more', () => {
    const good = { outcome: 'good' as const, confidence: 0.9, score: 2.2 };
    expect(changed(null, good)).toBe(true);
    expect(changed(good, { ...good, confidence: 0.93 })).toBe(false);
    expect(changed(good, { ...good, confidence: 0.95 })).toBe(true);
    expect(changed(good, { ...good, outcome: 'unknown' })).toBe(true);
    expect(changed(good, null)).toBe(false);
    expect(sigmoid(-800)).toBe(0);
  });
});

describe('normalised edit distance', () => {
  it('is 0 for the same text, 1 for nothing kept, edits over the longer length otherwise', () => {
    expect(normalisedEditDistance('abc', 'abc')).toBe(0);
    expect(normalisedEditDistance('', 'abc')).toBe(1);
    expect(normalisedEditDistance('kitten', 'sitting')).toBe(0.4286);
    expect(normalisedEditDistance('a'.repeat(3000), 'b'.repeat(3000))).toBeNull();
  });
});

describe('language', () => {
  it.each([
    ['How do I reset my password?', 'en'],
    ['¿Cómo restablezco mi contraseña?', 'es'],
    ['Wie ändere ich meine Bankverbindung?', 'de'],
    ['Comment réinitialiser mon mot de passe ?', 'fr'],
    ['パスワードをリセットするには？', 'other'],
    ['42', 'unknown'],
  ])('%j is %s', (text, language) => expect(detectLanguage(text)).toBe(language));
});
