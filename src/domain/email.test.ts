import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isEmailAddress } from './email.ts';

test('ordinary addresses are e-mail addresses', () => {
  for (const address of ['ada@example.com', 'first.last+tag@mail.example.co.uk', 'o_k-1@x-y.io', 'A@B.DE']) {
    assert.ok(isEmailAddress(address), address);
  }
});

test('nothing that could change a mailto: link, and no malformed address, is accepted', () => {
  for (const address of [
    'x@y.co?subject=Hi&body=Click',
    'x@y.co&cc=evil@z.com',
    'x@y.co#frag',
    'x%40y@z.co',
    'a b@c.de',
    'a@b.de ',
    '"quoted"@x.de',
    'a<b>@x.de',
    'a/b@x.de',
    'a=b@x.de',
    'a@b',
    'a@b.c',
    'a@-b.de',
    'a@b-.de',
    '.a@b.de',
    'a.@b.de',
    'a..b@c.de',
    'a@b@c.de',
    '@b.de',
    'a@b.de\n',
    'javascript:alert(1)@x.de',
    `${'a'.repeat(65)}@b.de`,
  ]) {
    assert.ok(!isEmailAddress(address), address);
  }
});
