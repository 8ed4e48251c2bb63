import { agreementOf, agreementReport, bucketOf, type Rating } from './agreement';

const pairs = (pp: number, pf: number, fp: number, ff: number) => [
  ...Array.from({ length: pp }, () => ({ a: true, b: true })),
  ...Array.from({ length: pf }, () => ({ a: true, b: false })),
  ...Array.from({ length: fp }, () => ({ a: false, b: true })),
  ...Array.from({ length: ff }, () => ({ a: false, b: false })),
];

describe('agreement', () => {
  it("computes percent agreement and Cohen's kappa (textbook example: 20/5/10/15 → 0.7, 0.4)", () => {
    const a = agreementOf(pairs(20, 5, 10, 15));
    expect(a.pairs).toBe(50);
    expect(a.percentAgreement).toBeCloseTo(0.7);
    expect(a.kappa).toBeCloseTo(0.4);
    expect(a.confusion).toEqual({ passPass: 20, passFail: 5, failPass: 10, failFail: 15 });
  });

  it('reports kappa as unknown when both raters never vary, and nothing without pairs', () => {
    expect(agreementOf(pairs(5, 0, 0, 0))).toMatchObject({ percentAgreement: 1, kappa: null });
    expect(agreementOf([])).toMatchObject({ pairs: 0, percentAgreement: null, kappa: null });
  });

  it('pairs judge with human and human with human per interaction, split by time to label', () => {
    const h = 3_600_000;
    const ratings: Rating[] = [
      { interactionId: 'i1', rater: 'gpt-4o', kind: 'judge', pass: true, timeToLabelMs: null },
      { interactionId: 'i1', rater: 'key:ann1', kind: 'human', pass: true, timeToLabelMs: 0.5 * h },
      { interactionId: 'i1', rater: 'key:ann2', kind: 'human', pass: false, timeToLabelMs: 30 * h },
      { interactionId: 'i2', rater: 'gpt-4o', kind: 'judge', pass: false, timeToLabelMs: null },
      { interactionId: 'i2', rater: 'key:ann1', kind: 'human', pass: false, timeToLabelMs: 2 * h },
    ];
    const report = agreementReport(ratings);
    expect(report.judgeVsHuman.overall).toMatchObject({ pairs: 3, percentAgreement: 2 / 3 });
    expect(report.humanVsHuman.overall).toMatchObject({ pairs: 1, percentAgreement: 0 });
    const fresh = report.judgeVsHuman.byTimeToLabel.find((b) => b.bucket === 'within-1h');
    expect(fresh?.agreement).toMatchObject({ pairs: 1, percentAgreement: 1 });
    const stale = report.judgeVsHuman.byTimeToLabel.find((b) => b.bucket === 'within-7d');
    expect(stale?.agreement).toMatchObject({ pairs: 1, percentAgreement: 0 });
    expect(report.humanVsHuman.byTimeToLabel.find((b) => b.bucket === 'within-7d')?.agreement.pairs).toBe(1);
    expect(bucketOf(0)).toBe('within-1h');
    expect(bucketOf(10 * 86_400_000)).toBe('later');
  });
});
