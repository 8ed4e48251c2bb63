/** Pure pieces of the pipeline node checks: what to run, and how to compare what came back. */

export const CHECKER_VERSION = 'pipeline-checks-v1';

/** The SQL in a codegen answer: the first fenced block if there is one, else the whole text. */
export function extractSql(answer: string): string {
  const fenced = /```(?:sql|sqlite)?\s*\n?([\s\S]*?)```/i.exec(answer);
  return (fenced?.[1] ?? answer).trim();
}

/** Questions match references case-, space- and end-punctuation-insensitively. */
export function normalizeQuestion(question: string): string {
  return question.toLowerCase().replace(/\s+/g, ' ').trim().replace(/[?.!\s]+$/, '');
}

/**
 * Same result: the same rows, as a multiset unless the reference orders them (then in order).
 * Column names are ignored (aliases differ); values compare by their JSON form.
 */
export function sameRows(actual: readonly (readonly unknown[])[], expected: readonly (readonly unknown[])[], ordered: boolean): boolean {
  if (actual.length !== expected.length) return false;
  const key = (row: readonly unknown[]) => JSON.stringify(row.map((v) => (typeof v === 'number' ? Number(v.toPrecision(12)) : v)));
  const a = actual.map(key);
  const b = expected.map(key);
  if (!ordered) {
    a.sort();
    b.sort();
  }
  return a.every((value, i) => value === b[i]);
}

export function isOrdered(sql: string): boolean {
  return /\border\s+by\b/i.test(sql);
}

/** A classifier's answer as a class label: trimmed, a trailing period dropped. */
export function predictedClassOf(answer: string): string {
  return answer.trim().replace(/\.$/, '').slice(0, 200);
}
