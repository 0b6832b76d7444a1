/**
 * Graph v1.0 requests on behalf of one access token: bearer header, the mailbox's slot, paging by
 * `@odata.nextLink`. Links Graph hands back (next pages, delta links) are followed only when they
 * stay under the configured Graph URL, so the token never goes anywhere else.
 */
import { providerError } from '../../../ports/synced-provider.ts';
import { mailboxOf } from './mailbox-gate.ts';
import {
  graphFailure,
  type HttpAnswer,
  type HttpMethod,
  isSuccess,
  jsonOf,
  send,
  type TransportOptions,
} from './transport.ts';

/** Pages one listing may take before it is judged a loop (5,000 events at 100 a page is 50). */
export const MAX_PAGES = 1000;

/** Asks Graph for UTC times everywhere (they still come as `{dateTime, timeZone}` pairs). */
export const PREFER_UTC = 'outlook.timezone="UTC"';

export type GraphContext = {
  readonly transport: TransportOptions;
  /** The Graph root with a trailing slash, e.g. `https://graph.microsoft.com/`. */
  readonly graphUrl: string;
};

export type GraphRequest = {
  readonly method: HttpMethod;
  /** A path under the Graph root (`v1.0/me`) or a link Graph gave (checked by {@link isGraphLink}). */
  readonly target: string;
  readonly what: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly json?: unknown;
};

/** Sends one Graph request; answers any status (callers map failures with graphFailure). */
export function graphSend(
  context: GraphContext,
  accessToken: string,
  request: GraphRequest,
  deadline: number,
): Promise<HttpAnswer> {
  const url = /^https?:\/\//i.test(request.target) ? request.target : `${context.graphUrl}${request.target}`;
  if (!isGraphLink(context, url))
    return Promise.reject(providerError('bad_response', `${request.what}: a link outside the Graph URL`));
  const headers: Record<string, string> = {
    authorization: `Bearer ${accessToken}`,
    accept: 'application/json',
    ...request.headers,
  };
  if (request.json !== undefined) headers['content-type'] = 'application/json';
  return send(
    context.transport,
    {
      method: request.method,
      url,
      what: request.what,
      mailbox: mailboxOf(accessToken),
      headers,
      ...(request.json === undefined ? {} : { body: JSON.stringify(request.json) }),
    },
    deadline,
  );
}

/** Sends and reads a JSON object, rejecting on any status that is not success. */
export async function graphJson(
  context: GraphContext,
  accessToken: string,
  request: GraphRequest,
  deadline: number,
): Promise<Record<string, unknown>> {
  const answer = await graphSend(context, accessToken, request, deadline);
  if (!isSuccess(answer)) throw graphFailure(answer, request.what);
  return objectOf(answer, request.what);
}

export function objectOf(answer: HttpAnswer, what: string): Record<string, unknown> {
  const json = jsonOf(answer, what);
  if (typeof json !== 'object' || json === null || Array.isArray(json))
    throw providerError('bad_response', `${what}: the answer is not a JSON object`);
  return json as Record<string, unknown>;
}

/** The `value` array of a collection page. */
export function itemsOf(page: Readonly<Record<string, unknown>>, what: string): readonly unknown[] {
  if (!Array.isArray(page.value)) throw providerError('bad_response', `${what}: a page without value`);
  return page.value;
}

/** A link Graph gave, or null when absent; `bad_response` when it leads elsewhere. */
export function linkOf(
  context: GraphContext,
  page: Readonly<Record<string, unknown>>,
  key: string,
  what: string,
): string | null {
  const link = page[key];
  if (link === undefined || link === null) return null;
  if (typeof link !== 'string' || !isGraphLink(context, link))
    throw providerError('bad_response', `${what}: ${key} is not a Graph link`);
  return link;
}

export function isGraphLink(context: GraphContext, url: string): boolean {
  return url.startsWith(context.graphUrl);
}

/** Every item of a collection, `@odata.nextLink` followed to the end. */
export async function collectPages(
  context: GraphContext,
  accessToken: string,
  first: GraphRequest,
  deadline: number,
): Promise<unknown[]> {
  const items: unknown[] = [];
  let target: string | null = first.target;
  for (let pages = 0; target !== null; pages++) {
    if (pages >= MAX_PAGES)
      throw providerError('bad_response', `${first.what}: more than ${MAX_PAGES} pages`);
    const page = await graphJson(context, accessToken, { ...first, target }, deadline);
    items.push(...itemsOf(page, first.what));
    target = linkOf(context, page, '@odata.nextLink', first.what);
  }
  return items;
}

/** A Graph root as configured, with exactly one trailing slash. */
export function normalizeGraphUrl(url: string): string {
  return url.endsWith('/') ? url : `${url}/`;
}

/** ISO instant as Graph's query parameters take it. */
export function isoOf(instant: number): string {
  return new Date(instant).toISOString();
}
