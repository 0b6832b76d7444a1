import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isStoreUnavailable } from './store-unavailable.ts';

const withFields = (message: string, fields: Record<string, unknown>) =>
  Object.assign(new Error(message), fields);

test('the database away: refused, dropped, shutting down, starting, out of connections, locked', () => {
  for (const error of [
    withFields('connect ECONNREFUSED 127.0.0.1:5432', { code: 'ECONNREFUSED' }),
    new AggregateError([withFields('connect ECONNREFUSED ::1:5432', { code: 'ECONNREFUSED' })], 'all failed'),
    new Error('Connection terminated unexpectedly'),
    new Error('Connection terminated due to connection timeout'),
    new Error('timeout exceeded when trying to connect'),
    withFields('terminating connection due to administrator command', { code: '57P01' }),
    withFields('the database system is starting up', { code: '57P03' }),
    withFields('sorry, too many clients already', { code: '53300' }),
    withFields('connection failure', { code: '08006' }),
    withFields('database is locked', { code: 'ERR_SQLITE_ERROR', errcode: 5 }),
    withFields('database is locked', { code: 'ERR_SQLITE_ERROR', errcode: 517 }),
    new Error('transaction failed', { cause: withFields('read ECONNRESET', { code: 'ECONNRESET' }) }),
  ]) {
    assert.ok(isStoreUnavailable(error), String(error));
  }
});

test('other failures are not the database being away', () => {
  for (const error of [
    new Error('boom'),
    withFields('duplicate key value violates unique constraint', { code: '23505' }),
    withFields('constraint failed', { code: 'ERR_SQLITE_ERROR', errcode: 19 }),
    withFields('syntax error', { code: '42601' }),
    'a string',
    null,
    undefined,
  ]) {
    assert.ok(!isStoreUnavailable(error), String(error));
  }
});
