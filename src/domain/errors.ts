/**
 * The error catalogue. Domain and application code throw DomainError with a stable code; the HTTP
 * layer maps each code to a status in one table (src/http/errors.ts). No HTTP status lives here.
 */

export type DomainErrorCode =
  | 'invalid_request' // one or more Problems (422)
  | 'unauthenticated' // credentials not recognised (401)
  | 'forbidden' // credentials recognised but not allowed (403)
  | 'not_found' // resource in the path does not exist for this caller (404)
  | 'payload_too_large' // body over the limit (413)
  | 'rate_limited' // too many requests (429)
  | 'slot_taken' // the chosen option is no longer available (page: taken-meanwhile; API: 422)
  | 'conflict' // a state transition that is not allowed (422 on the API)
  | 'unavailable'; // the server cannot do it now (database away, at capacity): 503, Retry-After

/** One problem with one field of a request; `path` is dotted with array indices. */
export type Problem = { readonly path: string; readonly code: string; readonly description: string };

export class DomainError extends Error {
  override name = 'DomainError';
  readonly code: DomainErrorCode;
  readonly problems: readonly Problem[];
  readonly retryAfterSeconds: number | undefined;

  constructor(
    code: DomainErrorCode,
    message: string,
    options: { problems?: readonly Problem[]; cause?: unknown; retryAfterSeconds?: number } = {},
  ) {
    super(message, { cause: options.cause });
    this.code = code;
    this.problems = options.problems ?? [];
    this.retryAfterSeconds = options.retryAfterSeconds;
  }
}

/** Collects every problem of one request so they can be reported together (SPEC 4). */
export class Problems {
  readonly list: Problem[] = [];

  add(path: string, code: string, description: string): void {
    if (!this.list.some((p) => p.path === path && p.code === code))
      this.list.push({ path, code, description });
  }

  get isEmpty(): boolean {
    return this.list.length === 0;
  }

  /** Throws one invalid_request DomainError carrying every problem found so far, if any. */
  throwIfAny(): void {
    if (this.list.length > 0) {
      throw new DomainError('invalid_request', 'The request is invalid', { problems: this.list });
    }
  }
}

export function invalid(path: string, code: string, description: string): DomainError {
  return new DomainError('invalid_request', description, { problems: [{ path, code, description }] });
}
