import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadConfig } from '../config/config.ts';
import { makeLogger, prettyLine } from './logging.ts';

test('a JSON log line reads as time, level, message and the remaining fields on a terminal', () => {
  const line = JSON.stringify({
    level: 40,
    time: Date.UTC(2026, 0, 5, 12, 4, 5),
    service: 'rtseq',
    data_center: 'us',
    msg: 'outbox attempt failed',
    outbox_id: 'out_1',
    status_code: 500,
  });
  assert.equal(prettyLine(line), '12:04:05 WARN  outbox attempt failed  outbox_id=out_1 status_code=500\n');
  assert.equal(prettyLine('not json'), 'not json\n');
});

test('a given destination gets JSON lines; a bad LOG_FORMAT is named', () => {
  const lines: string[] = [];
  const logger = makeLogger(loadConfig({ LOG_FORMAT: 'json' }), (url) => url, {
    write: (line: string) => void lines.push(line),
  });
  logger.info({ port: 8080 }, 'rtseq listening');
  assert.equal((JSON.parse(lines[0]!) as { msg: string }).msg, 'rtseq listening');
  assert.throws(() => loadConfig({ LOG_FORMAT: 'fancy' }), /LOG_FORMAT/);
});
