/**
 * Paged reads (events, free_busy, available_periods), written once. A page token is opaque to
 * clients: base64url JSON of the read's kind, the account it belongs to, the normalised query (so
 * later pages do not depend on the clock or on parameters the client re-appends) and the page
 * number. It carries no secret: it is bound to the account, and a token presented by any other
 * account, or one that does not decode, is a 404.
 */
import { DomainError } from '../../domain/errors.ts';
import type { Page } from '../../ports/store.ts';

export type PageKind = 'events' | 'free_busy' | 'available_periods';

/** A normalised query: only known parameters, defaults resolved, in wire (string) form. */
export type PageQuery = Readonly<Record<string, string | readonly string[]>>;

export type PageCursor = {
  readonly kind: PageKind;
  readonly accountId: string;
  readonly query: PageQuery;
  /** 1-based. */
  readonly page: number;
};

export type PagedResult<T> = {
  readonly items: readonly T[];
  readonly current: number;
  /** Number of pages, at least 1. */
  readonly total: number;
  /** Token of the next page; absent on the last page. */
  readonly nextToken?: string;
};

/** Longest token accepted: far above any real one, low enough to refuse abuse cheaply. */
const MAX_TOKEN_LENGTH = 16_384;
const MAX_PAGE = 1_000_000;

export function encodePageToken(cursor: PageCursor): string {
  const json = JSON.stringify({ k: cursor.kind, a: cursor.accountId, q: cursor.query, p: cursor.page });
  return Buffer.from(json, 'utf8').toString('base64url');
}

const notFound = () =>
  new DomainError('not_found', 'The page does not exist', {
    problems: [{ path: 'page', code: 'errors.not_found', description: 'the page token is not valid here' }],
  });

function readQuery(value: unknown): PageQuery | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const out: Record<string, string | readonly string[]> = Object.create(null);
  for (const [key, item] of Object.entries(value)) {
    if (typeof item === 'string') out[key] = item;
    else if (Array.isArray(item) && item.every((x) => typeof x === 'string')) out[key] = item;
    else return undefined;
  }
  return out;
}

/** The query and page of a token issued for this kind of read and this account; otherwise 404. */
export function decodePageToken(
  token: string,
  expected: { readonly kind: PageKind; readonly accountId: string },
): { query: PageQuery; page: number } {
  if (token.length === 0 || token.length > MAX_TOKEN_LENGTH || !/^[A-Za-z0-9_-]+$/.test(token)) {
    throw notFound();
  }
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    throw notFound();
  }
  if (typeof decoded !== 'object' || decoded === null) throw notFound();
  const { k, a, q, p } = decoded as Record<string, unknown>;
  const query = readQuery(q);
  if (
    k !== expected.kind ||
    a !== expected.accountId ||
    typeof p !== 'number' ||
    !Number.isInteger(p) ||
    p < 1 ||
    p > MAX_PAGE ||
    query === undefined
  ) {
    throw notFound();
  }
  return { query, page: p };
}

/**
 * Reads one page with `fetch(offset, limit)` and describes it. Paging is by offset over a stable
 * order, so items written between two page reads may shift the rest by one (as with any offset
 * paging); every page is complete at the moment it is read.
 */
export async function readPage<T>(
  cursor: PageCursor,
  pageSize: number,
  fetch: (offset: number, limit: number) => Promise<Page<T>>,
): Promise<PagedResult<T>> {
  const size = Math.max(1, Math.floor(pageSize));
  const { items, total: count } = await fetch((cursor.page - 1) * size, size);
  const total = Math.max(1, Math.ceil(count / size));
  return {
    items,
    current: cursor.page,
    total,
    ...(cursor.page < total ? { nextToken: encodePageToken({ ...cursor, page: cursor.page + 1 }) } : {}),
  };
}
