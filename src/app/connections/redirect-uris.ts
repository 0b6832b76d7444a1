/**
 * An application's registered redirect URIs (SPEC 8b): the only places /oauth/authorize ever sends
 * a browser (with a code, or with `error=access_denied`). Set with `PATCH /v1/application`
 * `redirect_uris` (replaces the list) or `rtseq app set --redirect-uri` (adds to it).
 */
import type { Problems } from '../../domain/errors.ts';
import type { ApplicationRecord } from '../../ports/store.ts';
import type { AppContext } from '../context.ts';

/** At most this many per application; each at most MAX_URI_LENGTH characters. */
export const MAX_REDIRECT_URIS = 20;
export const MAX_URI_LENGTH = 1000;

/**
 * Checks a list of redirect URIs: absolute http(s) URLs without a fragment (RFC 6749 3.1.2),
 * without credentials, at most MAX_REDIRECT_URIS. Duplicates are kept once. Problems are added at
 * `path[i]`; the cleaned list is returned (undefined when the value is not a list).
 */
export function readRedirectUris(value: unknown, path: string, problems: Problems): string[] | undefined {
  if (value === null) return [];
  if (!Array.isArray(value)) {
    problems.add(path, 'errors.invalid_type', `${path} must be an array of URLs`);
    return undefined;
  }
  if (value.length > MAX_REDIRECT_URIS) {
    problems.add(path, 'errors.too_many', `at most ${MAX_REDIRECT_URIS} redirect URIs`);
    return undefined;
  }
  const uris: string[] = [];
  for (const [i, item] of value.entries()) {
    const at = `${path}[${i}]`;
    const problem = redirectUriProblem(item);
    if (problem !== null) problems.add(at, problem.code, problem.description);
    else if (!uris.includes(item as string)) uris.push(item as string);
  }
  return uris;
}

function redirectUriProblem(item: unknown): { code: string; description: string } | null {
  if (typeof item !== 'string') return { code: 'errors.invalid_type', description: 'must be a URL string' };
  if (item.length > MAX_URI_LENGTH)
    return { code: 'errors.too_long', description: `at most ${MAX_URI_LENGTH} characters` };
  let url: URL;
  try {
    url = new URL(item);
  } catch {
    return { code: 'errors.invalid_url', description: 'must be an absolute http or https URL' };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    return { code: 'errors.invalid_url', description: 'must be an absolute http or https URL' };
  if (item.includes('#'))
    return { code: 'errors.invalid_url', description: 'must not contain a fragment (#…)' };
  if (url.username !== '' || url.password !== '')
    return { code: 'errors.invalid_url', description: 'must not contain a user name or password' };
  return null;
}

export async function redirectUrisOf(ctx: AppContext, application: ApplicationRecord): Promise<string[]> {
  return ctx.store.read((repos) => repos.connections.redirectUris(application.id));
}

/** Replaces the list (`mode: 'replace'`) or adds to it (`'add'`); returns the stored list. */
export async function setRedirectUris(
  ctx: AppContext,
  application: ApplicationRecord,
  uris: readonly string[],
  mode: 'replace' | 'add',
  problems: Problems,
  path = 'redirect_uris',
): Promise<string[]> {
  problems.throwIfAny();
  return ctx.store.transaction(async (repos) => {
    const current = mode === 'add' ? await repos.connections.redirectUris(application.id) : [];
    const next = [...current];
    for (const uri of uris) if (!next.includes(uri)) next.push(uri);
    if (next.length > MAX_REDIRECT_URIS) {
      problems.add(path, 'errors.too_many', `at most ${MAX_REDIRECT_URIS} redirect URIs`);
      problems.throwIfAny();
    }
    await repos.connections.setRedirectUris(application.id, next);
    return next;
  });
}

/** Exact string comparison, as RFC 6749 3.1.2.3 asks when the full URI is registered. */
export function isRegistered(registered: readonly string[], uri: string): boolean {
  return registered.includes(uri);
}
