/**
 * The booking page as a browser without script uses it, over real HTTP: keeps the page cookie,
 * follows nothing by itself. `bookFirstTime` picks the first offered time and confirms it when
 * the link asks for confirmation.
 */
import assert from 'node:assert/strict';

export type PageAnswer = { status: number; body: string; location: string | null };

export function pageBrowser() {
  let cookie: string | undefined;
  return async (url: string, form?: Record<string, string>): Promise<PageAnswer> => {
    const response = await fetch(url, {
      method: form === undefined ? 'GET' : 'POST',
      redirect: 'manual',
      headers: {
        ...(cookie === undefined ? {} : { cookie }),
        ...(form === undefined ? {} : { 'content-type': 'application/x-www-form-urlencoded' }),
      },
      ...(form === undefined ? {} : { body: new URLSearchParams(form).toString() }),
    });
    const set = response.headers.getSetCookie()[0];
    if (set !== undefined) cookie = set.split(';')[0];
    return {
      status: response.status,
      body: await response.text(),
      location: response.headers.get('location'),
    };
  };
}

export const unescapeHtml = (text: string) =>
  text
    .replace(/&#39;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');

const field = (body: string, name: string) => {
  const value = new RegExp(`name="${name}" value="([^"]+)"`).exec(body)?.[1];
  assert.ok(value !== undefined, `no ${name} field on the page`);
  return unescapeHtml(value);
};

/** Books the first offered time of the link at `linkUrl`; returns the booked page and its "continue" URL. */
export async function bookFirstTime(linkUrl: string): Promise<{ page: PageAnswer; continueUrl: string }> {
  const browse = pageBrowser();
  const origin = new URL(linkUrl).origin;
  const path = new URL(linkUrl).pathname;
  const open = await browse(linkUrl);
  assert.equal(open.status, 200, open.body);
  let answer = await browse(`${origin}${path}/choose`, {
    csrf: field(open.body, 'csrf'),
    option: field(open.body, 'option'),
  });
  assert.equal(answer.status, 303, answer.body);
  if (answer.location?.includes('/confirm') === true) {
    const held = await browse(`${origin}${answer.location}`);
    assert.equal(held.status, 200, held.body);
    answer = await browse(`${origin}${path}/confirm`, {
      csrf: field(held.body, 'csrf'),
      option: field(held.body, 'option'),
    });
    assert.equal(answer.status, 303, answer.body);
  }
  const page = await browse(`${origin}${answer.location}`);
  assert.equal(page.status, 200, page.body);
  const continueUrl = /<a id="continue"[^>]*href="([^"]+)"/.exec(page.body)?.[1];
  assert.ok(continueUrl !== undefined, 'the booked page links back to the application');
  return { page, continueUrl: unescapeHtml(continueUrl) };
}
