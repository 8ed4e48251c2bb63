import { z } from 'zod';
import { SCOPES, scopeSchema, type Scope } from '../../events/catalogue/auth';

/**
 * What a key may do:
 * - `ingest`: log interactions; `feedback`: send feedback signals; `annotate`: label in queues;
 * - `read`: query read models; `audit`: replay history and read raw (unredacted) data;
 * - `admin`: manage keys and configuration, and implies every scope but `audit`.
 * Admin could issue itself any scope anyway, so implying the everyday ones only saves
 * ceremony; reading raw personal data is a separate duty that has to be granted explicitly,
 * even to an administrator, so that it shows up as an ApiKeyIssued event.
 */
export { SCOPES, scopeSchema, type Scope };

/**
 * What the bootstrap admin (FLYWHEEL_ADMIN_KEY, or the key generated on first start) holds:
 * admin, so everything but audit. An auditor's key is issued by an admin, as an ApiKeyIssued
 * event like any other, so access to raw personal data always traces back to a decision.
 */
export const BOOTSTRAP_SCOPES: readonly Scope[] = ['admin'];

/** A non-empty set of scopes, duplicates removed, in the catalogue's order. */
export const scopeSetSchema = z
  .array(scopeSchema)
  .min(1, 'at least one scope')
  .transform((scopes) => normalizeScopes(scopes));

export function isScope(value: string): value is Scope {
  return scopeSchema.safeParse(value).success;
}

/** Duplicates removed, in the catalogue's order, so equal sets compare and display equal. */
export function normalizeScopes(scopes: Iterable<Scope>): Scope[] {
  const wanted = new Set(scopes);
  return SCOPES.filter((s) => wanted.has(s));
}

/** Does a holder of `granted` have `scope`, directly or through `admin`? */
export function hasScope(granted: readonly Scope[], scope: Scope): boolean {
  return granted.includes(scope) || (scope !== 'audit' && granted.includes('admin'));
}
