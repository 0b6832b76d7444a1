import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DomainError } from '../domain/errors.ts';
import { defaultHeavyGate, HeavyGate } from './heavy-gate.ts';

const refused = (error: unknown) =>
  error instanceof DomainError && error.code === 'rate_limited' && error.retryAfterSeconds === 2;

test('heavy requests: at most `total` in progress, `perApplication` each; leaving frees the place once', () => {
  const gate = new HeavyGate({ total: 3, perApplication: 2, retryAfterSeconds: 2 });
  const a1 = gate.enter('A');
  gate.enter('A');
  assert.throws(() => gate.enter('A'), refused, 'A over its share');
  const b1 = gate.enter('B');
  assert.throws(() => gate.enter('C'), refused, 'the process is full');
  a1();
  a1(); // a second call changes nothing
  assert.equal(gate.inProgress, 2);
  gate.enter('C');
  assert.throws(() => gate.enter('D'), refused);
  b1();
  gate.enter('B');
  assert.equal(gate.inProgress, 3);
});

test('the defaults scale with the compute threads and the budget', () => {
  assert.deepEqual(defaultHeavyGate(2, 2000), { total: 4, perApplication: 2, retryAfterSeconds: 2 });
  assert.deepEqual(defaultHeavyGate(1, 500), { total: 2, perApplication: 1, retryAfterSeconds: 1 });
});
