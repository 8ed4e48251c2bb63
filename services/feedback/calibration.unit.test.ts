import { calibrate, fitLogistic, rocAuc, type LabelledExample } from './calibration';
import { emptyFeatures, type Feature } from '../../events/signal-features';
import { DEFAULT_WEIGHTS } from './outcome';

/** Labelled interactions where copying predicts good and stopping predicts bad, with noise. */
function examples(n: number): LabelledExample[] {
  let seed = 7;
  const random = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648) / 2_147_483_648);
  return Array.from({ length: n }, () => {
    const good = random() < 0.6;
    const features = emptyFeatures();
    const set = (f: Feature, p: number) => (features[f] = random() < p ? 1 : 0);
    set('copied', good ? 0.7 : 0.15);
    set('stopped', good ? 0.05 : 0.5);
    set('followUp', 0.3);
    return { features, good };
  });
}

describe('calibration', () => {
  it('fits weights that point the way the data does and reports each signal', () => {
    const report = calibrate(examples(600), DEFAULT_WEIGHTS);
    expect(report.fitted).toBe(true);
    expect(report.weights.weights.copied).toBeGreaterThan(1);
    expect(report.weights.weights.stopped).toBeLessThan(-1);
    // followUp is noise here: it stays near zero's neighbourhood of its prior.
    expect(Math.abs(report.weights.weights.followUp)).toBeLessThan(0.6);
    expect(report.crossValidatedAuc).toBeGreaterThan(0.7);
    const copied = report.signals.find((s) => s.feature === 'copied');
    expect(copied).toMatchObject({ fitted: true });
    expect(copied?.auc).toBeGreaterThan(0.7);
    expect(copied?.goodRateWith).toBeGreaterThan(copied?.goodRateWithout ?? 1);
    // Explicit thumbs are the label, not fitted.
    expect(report.weights.weights.thumbsUp).toBe(DEFAULT_WEIGHTS.weights.thumbsUp);
  });

  it('keeps the current weights without enough labelled data or without both outcomes', () => {
    expect(calibrate(examples(10), DEFAULT_WEIGHTS)).toMatchObject({ fitted: false, weights: DEFAULT_WEIGHTS });
    const allGood = examples(100).map((e) => ({ ...e, good: true }));
    expect(calibrate(allGood, DEFAULT_WEIGHTS).reason).toMatch(/both outcomes/);
  });

  it('recovers known coefficients with a weak prior (plain logistic regression)', () => {
    const data: LabelledExample[] = [];
    // p(good | copied) = 0.8, p(good | not copied) = 0.5: logit 1.386 vs 0.
    for (let i = 0; i < 1000; i++) {
      const copied = i % 2 === 0;
      const features = { ...emptyFeatures(), copied: copied ? 1 : 0 };
      data.push({ features, good: copied ? i % 10 < 8 : i % 4 < 2 });
    }
    const model = fitLogistic(data, ['copied'], { ...DEFAULT_WEIGHTS, bias: 0 }, 1e-6);
    expect(model.bias).toBeCloseTo(0, 2);
    expect(model.weights.copied).toBeCloseTo(Math.log(4), 2);
  });

  it('computes AUC by ranks with ties counted half', () => {
    expect(rocAuc([1, 2, 3, 4], [false, false, true, true])).toBe(1);
    expect(rocAuc([1, 1, 1, 1], [false, true, false, true])).toBe(0.5);
    expect(rocAuc([1, 2], [true, true])).toBeNull();
  });
});
