/**
 * Domain errors: the expected ways a command can be refused. GraphQL returns each as its own
 * schema type in a result union; anything that is not a DomainError stays masked.
 */
export abstract class DomainError extends Error {
  abstract readonly code: string;
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

export interface FieldIssue {
  /** Dotted path of the offending field, from the input's root (`request.messages.0.role`). */
  readonly path: string;
  readonly message: string;
}

export class InputInvalid extends DomainError {
  readonly code = 'INPUT_INVALID';
  constructor(readonly issues: readonly FieldIssue[]) {
    super(`invalid input: ${issues.map((i) => `${i.path || '(root)'}: ${i.message}`).join('; ')}`);
  }

  /** The same issues as seen from an enclosing input: `within('inputs.3')` turns `latencyMs` into `inputs.3.latencyMs`. */
  within(prefix: string): InputInvalid {
    return new InputInvalid(this.issues.map((i) => ({ ...i, path: i.path ? `${prefix}.${i.path}` : prefix })));
  }
}

export class NotFound extends DomainError {
  readonly code = 'NOT_FOUND';
  constructor(
    readonly entity: string,
    readonly id: string,
  ) {
    super(`${entity} ${id} not found`);
  }
}

export function issuesFromZod(error: { issues: readonly { path: readonly PropertyKey[]; message: string }[] }, prefix = ''): FieldIssue[] {
  return error.issues.map((i) => ({
    path: [prefix, ...i.path.map(String)].filter((p) => p !== '').join('.'),
    message: i.message,
  }));
}
