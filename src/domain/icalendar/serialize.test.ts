import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import ICAL from 'ical.js';
import { escapeText, foldLine, type ICalendarEvent, serializeEvents } from './serialize.ts';

const DTSTAMP = Date.UTC(2026, 10, 24, 12, 0, 0);
const OPTIONS = { prodId: '-//rtseq//tests//EN', dtstamp: DTSTAMP };

function parse(text: string): ICAL.Component {
  return new ICAL.Component(ICAL.parse(text));
}

function octets(line: string): number {
  return new TextEncoder().encode(line).length;
}

describe('serializeEvents', () => {
  test('writes CRLF lines no longer than 75 octets, folded between code points', () => {
    const text = serializeEvents(
      [
        {
          uid: 'seq_1-0@rtseq',
          summary: `Entretien technique — ${'é'.repeat(60)} 🙂🙂🙂`,
          description: 'x'.repeat(300),
          start: Date.UTC(2026, 11, 1, 9),
          end: Date.UTC(2026, 11, 1, 10),
        },
      ],
      OPTIONS,
    );
    assert.ok(text.endsWith('\r\n'));
    assert.equal(text.replace(/\r\n/g, '').includes('\n'), false, 'no bare LF');
    for (const line of text.split('\r\n')) assert.ok(octets(line) <= 75, `${octets(line)} octets: ${line}`);
    assert.doesNotMatch(text, /\uFFFD/);
    const event = parse(text).getFirstSubcomponent('vevent')!;
    assert.equal(event.getFirstPropertyValue('summary'), `Entretien technique — ${'é'.repeat(60)} 🙂🙂🙂`);
    assert.equal(event.getFirstPropertyValue('description'), 'x'.repeat(300));
  });

  test('escapes TEXT values so they round-trip through ical.js', () => {
    const tricky = 'a,b;c\\d\nnew line\r\nwindows line: "quoted"';
    const text = serializeEvents(
      [
        {
          uid: 'u1',
          summary: tricky,
          description: tricky,
          location: 'Room 4, Floor 2; Building B',
          url: 'https://example.test/book?a=1,2&b=3;4',
          start: Date.UTC(2026, 0, 1, 9),
          end: Date.UTC(2026, 0, 1, 10),
          sequence: 3,
        },
      ],
      { ...OPTIONS, method: 'publish' },
    );
    const calendar = parse(text);
    assert.equal(calendar.getFirstPropertyValue('method'), 'PUBLISH');
    assert.equal(calendar.getFirstPropertyValue('prodid'), '-//rtseq//tests//EN');
    const event = calendar.getFirstSubcomponent('vevent')!;
    const expected = 'a,b;c\\d\nnew line\nwindows line: "quoted"';
    assert.equal(event.getFirstPropertyValue('summary'), expected);
    assert.equal(event.getFirstPropertyValue('description'), expected);
    assert.equal(event.getFirstPropertyValue('location'), 'Room 4, Floor 2; Building B');
    assert.equal(event.getFirstPropertyValue('url'), 'https://example.test/book?a=1,2&b=3;4');
    assert.equal(event.getFirstPropertyValue('sequence'), 3);
    assert.equal(event.getFirstPropertyValue('uid'), 'u1');
    assert.equal(String(event.getFirstPropertyValue('dtstamp')), '2026-11-24T12:00:00Z');
    assert.equal(event.getFirstPropertyValue('transp'), 'OPAQUE');
  });

  test('without a METHOD line by default (CalDAV PUT bodies must not carry one)', () => {
    const text = serializeEvents([{ uid: 'u', summary: 's', start: 0, end: 60_000 }], OPTIONS);
    assert.doesNotMatch(text, /METHOD/);
    assert.match(text, /DTSTART:19700101T000000Z\r\nDTEND:19700101T000100Z/);
  });

  test('zoned events carry a VTIMEZONE whose offsets give back the exact instants', () => {
    const events: ICalendarEvent[] = [
      // 09:00 BST on 30 March 2026 (the day after spring forward) = 08:00Z.
      {
        uid: 'london',
        summary: 'L',
        start: Date.UTC(2026, 2, 30, 8),
        end: Date.UTC(2026, 2, 30, 9),
        tzid: 'Europe/London',
      },
      // 10:00 IST = 04:30Z; Kolkata has no DST, so one STANDARD component.
      {
        uid: 'kolkata',
        summary: 'K',
        start: Date.UTC(2026, 3, 24, 4, 30),
        end: Date.UTC(2026, 3, 24, 5, 30),
        tzid: 'Asia/Kolkata',
      },
      // Across New York's fall back: 01:30 EDT (05:30Z) to 01:30 EST (06:30Z), an hour later.
      {
        uid: 'ny',
        summary: 'N',
        start: Date.UTC(2026, 10, 1, 5, 30),
        end: Date.UTC(2026, 10, 1, 6, 30),
        tzid: 'America/New_York',
      },
    ];
    const text = serializeEvents(events, OPTIONS);
    assert.match(text, /DTSTART;TZID=Europe\/London:20260330T090000/);
    assert.match(text, /DTSTART;TZID=Asia\/Kolkata:20260424T100000/);
    // The end is the second 01:30, which a local time cannot name: it is written in UTC.
    assert.match(text, /DTSTART;TZID=America\/New_York:20261101T013000\r\nDTEND:20261101T063000Z/);
    const calendar = parse(text);
    assert.equal(calendar.getAllSubcomponents('vtimezone').length, 3);
    // ical.js reads a repeated local time as its second occurrence (RFC 5545 says the first), so
    // the New York start is checked by the adapter's expander instead (expand.test.ts).
    for (const event of events.slice(0, 2)) {
      const vevent = calendar
        .getAllSubcomponents('vevent')
        .find((e) => e.getFirstPropertyValue('uid') === event.uid)!;
      const start = vevent.getFirstPropertyValue('dtstart') as ICAL.Time;
      const end = vevent.getFirstPropertyValue('dtend') as ICAL.Time;
      assert.equal(start.toUnixTime() * 1000, event.start, event.uid);
      assert.equal(end.toUnixTime() * 1000, event.end, event.uid);
    }
  });

  test('an unknown zone name falls back to UTC times', () => {
    const text = serializeEvents(
      [{ uid: 'u', summary: 's', start: 0, end: 60_000, tzid: 'Mars/Olympus_Mons' }],
      OPTIONS,
    );
    assert.doesNotMatch(text, /VTIMEZONE|TZID/);
    assert.match(text, /DTSTART:19700101T000000Z/);
  });

  test('any text survives escaping, folding and parsing unchanged (line breaks normalised to LF)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 200 }), (value) => {
        const text = serializeEvents([{ uid: 'u', summary: value, start: 0, end: 1000 }], OPTIONS);
        for (const line of text.split('\r\n')) assert.ok(octets(line) <= 75);
        const summary = parse(text).getFirstSubcomponent('vevent')!.getFirstPropertyValue('summary') ?? '';
        assert.equal(summary, value.replace(/\r\n|\r/g, '\n'));
      }),
      { numRuns: 300 },
    );
  });
});

test('escapeText and foldLine follow RFC 5545 3.3.11 and 3.1', () => {
  assert.equal(escapeText('a\\b;c,d\ne'), 'a\\\\b\\;c\\,d\\ne');
  const folded = foldLine(`DESCRIPTION:${'a'.repeat(200)}`);
  const parts = folded.split('\r\n');
  assert.equal(parts[0]!.length, 75);
  assert.ok(parts.slice(1).every((part) => part.startsWith(' ') && part.length <= 75));
  assert.equal(
    parts.map((part, index) => (index === 0 ? part : part.slice(1))).join(''),
    `DESCRIPTION:${'a'.repeat(200)}`,
  );
});
