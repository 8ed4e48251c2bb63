/**
 * Suites that need a server run when it is reachable and are reported as skipped otherwise,
 * with the reason in the suite name so the skip is visible in the output.
 */
export function describeIf(condition: boolean, name: string, reason: string, body: () => void): void {
  if (condition) describe(name, body);
  else describe.skip(`${name} [skipped: ${reason}]`, body);
}
