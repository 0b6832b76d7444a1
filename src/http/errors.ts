/**
 * The one table from error codes to HTTP statuses and the standard error body (SPEC 4):
 * `{"errors": {"<field path>": [{"key": "errors.<code>", "description": "…"}]}}`.
 */
import type { DomainErrorCode, Problem } from '../domain/errors.ts';

export const STATUS_BY_CODE: Readonly<Record<DomainErrorCode, number>> = {
  invalid_request: 422,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  payload_too_large: 413,
  rate_limited: 429,
  slot_taken: 422,
  conflict: 422,
  unavailable: 503,
};

/** Where a non-field error is reported, and its key, so every error body has the same shape. */
const GENERAL_PROBLEM: Readonly<Record<DomainErrorCode, { path: string; key: string }>> = {
  invalid_request: { path: 'request', key: 'errors.invalid' },
  unauthenticated: { path: 'authorization', key: 'errors.unauthorized' },
  forbidden: { path: 'authorization', key: 'errors.forbidden' },
  not_found: { path: 'path', key: 'errors.not_found' },
  payload_too_large: { path: 'body', key: 'errors.too_large' },
  rate_limited: { path: 'rate_limit', key: 'errors.rate_limited' },
  slot_taken: { path: 'slot', key: 'errors.slot_unavailable' },
  conflict: { path: 'status', key: 'errors.invalid_state' },
  unavailable: { path: 'server', key: 'errors.unavailable' },
};

export type ErrorBody = { errors: Record<string, { key: string; description: string }[]> };

export function errorBody(code: DomainErrorCode, message: string, problems: readonly Problem[]): ErrorBody {
  const list: Problem[] =
    problems.length > 0
      ? [...problems]
      : [{ path: GENERAL_PROBLEM[code].path, code: GENERAL_PROBLEM[code].key, description: message }];
  const errors: ErrorBody['errors'] = {};
  for (const problem of list) {
    const path = problem.path === '' ? 'body' : problem.path;
    const entries = errors[path] ?? [];
    entries.push({ key: problem.code, description: problem.description });
    errors[path] = entries;
  }
  return { errors };
}
