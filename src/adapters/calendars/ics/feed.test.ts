import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ExternalCalendarError } from '../errors.ts';
import type { FetchFn } from '../http.ts';
import { feedFetchUrl, IcsFeedReader } from './feed.ts';

describe('ICS feeds', () => {
  test('webcal:// and webcals:// are fetched over https; other schemes are refused', () => {
    assert.equal(
      feedFetchUrl('webcal://calendar.example.test/u/1.ics'),
      'https://calendar.example.test/u/1.ics',
    );
    assert.equal(
      feedFetchUrl(' webcals://calendar.example.test/a?b=c '),
      'https://calendar.example.test/a?b=c',
    );
    assert.equal(feedFetchUrl('http://127.0.0.1:8080/f.ics'), 'http://127.0.0.1:8080/f.ics');
    for (const url of ['file:///etc/passwd', 'ftp://x/y.ics', 'not a url']) {
      assert.throws(
        () => feedFetchUrl(url),
        (error: unknown) => error instanceof ExternalCalendarError && error.code === 'not_found',
      );
    }
  });

  test('a body larger than the cap is refused while streaming, even without Content-Length', async () => {
    let pulled = 0;
    const streaming: FetchFn = async () =>
      new Response(
        new ReadableStream<Uint8Array>({
          pull(controller) {
            pulled++;
            controller.enqueue(new TextEncoder().encode('X'.repeat(1024)));
          },
        }),
        { status: 200 },
      );
    const reader = new IcsFeedReader({ fetch: streaming, timeoutMs: 1000, maxBytes: 10 * 1024 });
    await assert.rejects(reader.fetchText('https://feed.example.test/big.ics'), (error: unknown) => {
      return (
        error instanceof ExternalCalendarError &&
        error.code === 'bad_response' &&
        /larger than 10240 bytes/.test(error.message)
      );
    });
    assert.ok(pulled <= 13, `stopped early (${pulled} chunks)`);
  });

  test('a declared Content-Length over the cap is refused before reading', async () => {
    const declared: FetchFn = async () =>
      new Response('small', { status: 200, headers: { 'Content-Length': '999999999' } });
    const reader = new IcsFeedReader({ fetch: declared, timeoutMs: 1000, maxBytes: 1024 });
    await assert.rejects(reader.fetchText('https://feed.example.test/f.ics'), { code: 'bad_response' });
  });

  test('multi-byte UTF-8 split across chunks decodes intact', async () => {
    const bytes = new TextEncoder().encode('SUMMARY:Café ☕');
    const split: FetchFn = async () =>
      new Response(
        new ReadableStream<Uint8Array>({
          start(controller) {
            controller.enqueue(bytes.slice(0, 12));
            controller.enqueue(bytes.slice(12));
            controller.close();
          },
        }),
      );
    assert.equal(
      await new IcsFeedReader({ fetch: split, timeoutMs: 1000 }).fetchText('https://x.test/f.ics'),
      'SUMMARY:Café ☕',
    );
  });
});
