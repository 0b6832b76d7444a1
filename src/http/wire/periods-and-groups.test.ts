import assert from 'node:assert/strict';
import test from 'node:test';
import { loadConfig } from '../../config/config.ts';
import { Problems } from '../../domain/errors.ts';
import { readGroups } from './periods-and-groups.ts';

const limits = loadConfig({}).limits;

function read(members: unknown[]) {
  const problems = new Problems();
  const groups = readGroups([{ members }], 'participants', problems, limits);
  return { members: groups[0]?.members ?? [], problems: problems.list.map((p) => `${p.path} ${p.code}`) };
}

test('a plain member and the same member read by the full reader give the same request', () => {
  const plain = read([{ sub: 'acc_1' }]).members[0];
  // `managed_availability: false` sends the member through the full reader.
  const full = read([{ sub: 'acc_1', managed_availability: false }]).members[0];
  assert.deepEqual(plain, full);
  assert.deepEqual(plain, {
    sub: 'acc_1',
    path: 'participants[0].members[0]',
    calendarIds: null,
    availablePeriods: null,
    managedAvailability: false,
    availabilityRuleIds: null,
  });
});

test('subs the plain reader does not take still get every check of the full reader', () => {
  const { members, problems } = read([
    { sub: '   ' },
    { sub: 'acc\u0000x' },
    { sub: 'a'.repeat(129) },
    { sub: 42 },
    {},
    { sub: 'Zoë' },
    { sub: 'ok', calendar_ids: ['cal_1', 7] },
  ]);
  assert.deepEqual(problems, [
    'participants[0].members[0].sub errors.required',
    'participants[0].members[1].sub errors.invalid_format',
    'participants[0].members[2].sub errors.too_long',
    'participants[0].members[3].sub errors.invalid_type',
    'participants[0].members[4].sub errors.required',
    'participants[0].members[6].calendar_ids[1] errors.invalid_type',
  ]);
  assert.deepEqual(
    members.map((m) => [m.sub, m.calendarIds]),
    [
      ['Zoë', null],
      ['ok', ['cal_1']],
    ],
  );
});
