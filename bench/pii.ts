/**
 * The PII detector on the labelled corpus (services/privacy/corpus/pii-corpus.jsonl, ≥ 500
 * snippets in seven languages, with hard negatives): precision and recall per entity type, and
 * throughput on one core (the detector is synchronous: this process, one thread), on the
 * corpus (dense with PII) and on ordinary support traffic (bench/_lib's text).
 *
 * A detection counts as a hit when its type matches a labelled entity and it covers at least
 * half of it (addresses and names have fuzzy edges); each labelled entity is hit at most once.
 *
 *   npm run bench -- pii [--seconds 3] [--errors]
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ENTITY_TYPES, type EntityType } from '../events/catalogue/privacy';
import type { LabelledSnippet } from '../services/privacy/corpus/build';
import { clearDetectorCaches, detect } from '../services/privacy/detector';
import { flag, hasFlag, round, runMain, text } from './_lib';

const SECONDS = Number(flag('seconds', '3'));
const GOALS = {
  recall: { EMAIL: 0.95, PHONE: 0.95, CREDIT_CARD: 0.95, IBAN: 0.95, SSN: 0.95, IP_ADDRESS: 0.95, SECRET: 0.95, PERSON: 0.8, STREET_ADDRESS: 0.8 },
  precision: 0.9,
  mbPerSecond: 5,
} as const;

/**
 * Snippets written by hand, labelled by value, never tuned on: the honest check of how far the
 * corpus figures carry to text it has not seen. h01–h50 were written after the detector was
 * tuned on the corpus; h51–h80 (issue 9: cued phones, named secrets, names beside a role) before
 * the detector learned those shapes, and left as written after.
 */
function loadHoldout(): LabelledSnippet[] {
  const file = join(__dirname, '..', 'services', 'privacy', 'corpus', 'holdout.jsonl');
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => {
      const raw: { id: string; lang: string; text: string; entities: { type: EntityType; value: string }[] } = JSON.parse(line);
      let from = 0;
      const entities = raw.entities.map((e) => {
        const start = raw.text.indexOf(e.value, from);
        from = start + 1;
        return { type: e.type, start, end: start + e.value.length };
      });
      return { id: raw.id, lang: raw.lang, text: raw.text, entities };
    });
}

function summarise(label: string, tallies: Map<EntityType, Tally>) {
  const perType: Record<string, { precision: number; recall: number; tp: number; fp: number; fn: number }> = {};
  let tp = 0;
  let fp = 0;
  let fn = 0;
  console.log(label);
  for (const [type, t] of tallies) {
    tp += t.tp;
    fp += t.fp;
    fn += t.fn;
    if (t.tp + t.fp + t.fn === 0) continue;
    const precision = t.tp + t.fp === 0 ? 1 : t.tp / (t.tp + t.fp);
    const recall = t.tp + t.fn === 0 ? 1 : t.tp / (t.tp + t.fn);
    perType[type] = { precision: round(precision, 3), recall: round(recall, 3), tp: t.tp, fp: t.fp, fn: t.fn };
    console.log(`  ${type.padEnd(15)} precision ${round(precision, 3).toFixed(3)}  recall ${round(recall, 3).toFixed(3)}  (tp ${t.tp}, fp ${t.fp}, fn ${t.fn})`);
  }
  const overall = { precision: round(tp / Math.max(1, tp + fp), 3), recall: round(tp / Math.max(1, tp + fn), 3) };
  console.log(`  overall         precision ${overall.precision}  recall ${overall.recall}`);
  return { perType, overall };
}

function loadCorpus(): LabelledSnippet[] {
  const file = join(__dirname, '..', 'services', 'privacy', 'corpus', 'pii-corpus.jsonl');
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line): LabelledSnippet => JSON.parse(line));
}

interface Tally {
  tp: number;
  fp: number;
  fn: number;
}

function evaluate(corpus: readonly LabelledSnippet[], showErrors: boolean): Map<EntityType, Tally> {
  const tallies = new Map<EntityType, Tally>(ENTITY_TYPES.map((t) => [t, { tp: 0, fp: 0, fn: 0 }]));
  const tally = (type: EntityType) => tallies.get(type) ?? { tp: 0, fp: 0, fn: 0 };
  for (const snippet of corpus) {
    const found = detect(snippet.text);
    const hit = new Set<number>();
    for (const d of found) {
      const index = snippet.entities.findIndex(
        (g, i) => !hit.has(i) && g.type === d.type && Math.min(g.end, d.end) - Math.max(g.start, d.start) >= (g.end - g.start) / 2,
      );
      if (index >= 0) {
        hit.add(index);
        tally(d.type).tp++;
      } else {
        tally(d.type).fp++;
        if (showErrors) console.log(`  FP ${d.type} ${snippet.id}: ${JSON.stringify(snippet.text.slice(d.start, d.end))}`);
      }
    }
    snippet.entities.forEach((g, i) => {
      if (hit.has(i)) return;
      tally(g.type).fn++;
      if (showErrors) console.log(`  FN ${g.type} ${snippet.id}: ${JSON.stringify(snippet.text.slice(g.start, g.end))} in ${JSON.stringify(snippet.text.slice(0, 120))}`);
    });
  }
  return tallies;
}

/**
 * MB of UTF-8 text through detect() per CPU-second of this process (user + system): the median
 * over the passes that fit in about `seconds` of wall time, after a warm-up. CPU time rather
 * than wall time, and the median rather than the mean: on a shared machine the wall clock also
 * counts the time other processes held the core, and a pass that met a GC pause or a noisy
 * neighbour should not set the figure. Memoised verdicts are cleared before every pass, so
 * repeats across passes do not flatter it.
 */
function throughput(texts: readonly string[], seconds: number): { cpu: number; wall: number; passes: number } {
  const bytes = texts.reduce((n, t) => n + Buffer.byteLength(t), 0);
  for (const t of texts) detect(t);
  const perPass: number[] = [];
  const started = performance.now();
  while (performance.now() - started < seconds * 1000 || perPass.length < 5) {
    clearDetectorCaches();
    const cpu = process.cpuUsage();
    for (const t of texts) detect(t);
    const used = process.cpuUsage(cpu);
    perPass.push(bytes / 1e6 / ((used.user + used.system) / 1e6));
  }
  perPass.sort((a, b) => a - b);
  const wall = (bytes * perPass.length) / 1e6 / ((performance.now() - started) / 1000);
  return { cpu: perPass[Math.floor(perPass.length / 2)] ?? 0, wall, passes: perPass.length };
}

async function main(): Promise<void> {
  const corpus = loadCorpus();
  const entities = corpus.reduce((n, s) => n + s.entities.length, 0);
  console.log(`pii: ${corpus.length} snippets, ${entities} labelled entities, ${new Set(corpus.map((s) => s.lang)).size} languages`);
  const { perType, overall } = summarise('corpus (template-generated; the detector was tuned on it):', evaluate(corpus, hasFlag('errors')));
  const { precision } = overall;
  const holdoutSnippets = loadHoldout();
  const holdout = summarise(
    `holdout (${holdoutSnippets.length} hand-written snippets, never tuned on):`,
    evaluate(holdoutSnippets, hasFlag('errors')),
  );

  const onCorpus = throughput(corpus.map((s) => s.text), SECONDS);
  const traffic = Array.from({ length: 200 }, (_, i) => text(i, 300 + (i % 7) * 200));
  const onTraffic = throughput(traffic, SECONDS);
  const corpusMbs = round(onCorpus.cpu, 2);
  const trafficMbs = round(onTraffic.cpu, 2);
  console.log(
    `  throughput (MB per CPU-second, one thread, median of ${onCorpus.passes} and ${onTraffic.passes} passes): ${corpusMbs} on the corpus (dense PII), ${trafficMbs} on support traffic` +
      ` (wall clock: ${round(onCorpus.wall, 2)} and ${round(onTraffic.wall, 2)} MB/s on this machine's load)`,
  );

  const recallPass = Object.entries(GOALS.recall).every(([type, goal]) => (perType[type]?.recall ?? 0) >= goal);
  console.log(
    JSON.stringify({
      bench: 'pii',
      snippets: corpus.length,
      entities,
      perType,
      overall,
      holdout: { snippets: holdoutSnippets.length, ...holdout },
      throughputMBps: { corpus: corpusMbs, traffic: trafficMbs, wallCorpus: round(onCorpus.wall, 2), wallTraffic: round(onTraffic.wall, 2) },
      goals: GOALS,
      pass: { recall: recallPass, precision: precision >= GOALS.precision, throughput: corpusMbs >= GOALS.mbPerSecond },
    }),
  );
}

runMain(main);
