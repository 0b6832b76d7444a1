import assert from 'node:assert/strict';
import { test } from 'node:test';
import { randomIds, secretBox } from './crypto.ts';

test('Cronofy-HMAC-SHA256 matches the published test vectors', () => {
  const box = secretBox(null);
  const body = '{"example":"well-known"}';
  assert.equal(box.hmacBase64('pDY0Oi7TJSP2hfNmZNkm5', body), '6r2/HjBkqymGegX0wOfifieeUXbbHwtV/LohHS+jv6c=');
  assert.equal(
    box.hmacBase64('CRN_NggYusqPGLxwjw5FHOJYOqSrTPNXy8WQf14OID', body),
    '5DxentQi5YSXODEzTVv06sRwJ3pULIz1KrYv20qxEK0=',
  );
  assert.equal(
    box.hmacBase64('aPPwd-ASDFAsdfasdfasdfsadfasdfASDFSADF_asdfasdfasdf', body),
    '0g6bhIumRlRffctPXuASSl3u6AXOxnYRw+hiTp7IvTg=',
  );
});

test('3 with SECRET_KEY secrets are encrypted at rest; without it they are marked plain', () => {
  const keyed = secretBox('k'.repeat(40));
  const sealed = keyed.seal('CRN_very-secret');
  assert.ok(!sealed.includes('very-secret'));
  assert.notEqual(keyed.seal('CRN_very-secret'), sealed, 'a fresh IV every time');
  assert.equal(keyed.unseal(sealed), 'CRN_very-secret');
  assert.throws(() => secretBox('x'.repeat(40)).unseal(sealed), 'another key cannot open it');
  assert.throws(() => secretBox(null).unseal(sealed), /SECRET_KEY/);
  const plain = secretBox(null).seal('abc');
  assert.equal(plain, 'plain:abc');
  assert.equal(keyed.unseal(plain), 'abc', 'a key can be introduced later');
});

test('3 tokens are hashed for lookup and compared in constant time', () => {
  const box = secretBox(null);
  assert.equal(box.hash('token'), box.hash('token'));
  assert.notEqual(box.hash('token'), box.hash('token2'));
  assert.match(box.hash('token'), /^[0-9a-f]{64}$/);
  assert.ok(box.equal('same', 'same'));
  assert.ok(!box.equal('same', 'Same'));
  assert.ok(!box.equal('same', 'same-but-longer'));
  assert.match(randomIds.newId('acc'), /^acc_[0-9a-f]{32}$/);
  assert.ok(Buffer.from(randomIds.newToken(24), 'base64url').length >= 16, 'at least 128 bits');
});
