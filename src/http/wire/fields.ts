/**
 * Field readers and limits shared by the event, calendar and rule readers and the query readers.
 * Like reader.ts, they collect problems with dotted paths and never throw.
 */
import type { Problems } from '../../domain/errors.ts';
import { localParts } from '../../domain/time/zones.ts';
import { readString } from './reader.ts';

/** Longest `event_id`: room for an application key plus a step suffix (SPEC 6.3), far from abuse. */
export const EVENT_ID_MAX = 256;
export const SUMMARY_MAX = 1024;
export const DESCRIPTION_MAX = 4096;
/** Most calendar ids one request may name (`calendar_ids[]`, rules). */
export const CALENDAR_IDS_MAX = 50;
export const DATE_LIKE = /^\d{4}-\d{2}-\d{2}$/;
const HEX_COLOR = /^#[0-9a-fA-F]{6}$/;

/** True when the text holds a C0 control character or DEL. */
export function hasControl(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x20 || code === 0x7f) return true;
  }
  return false;
}

export function readColor(value: unknown, path: string, problems: Problems): string | undefined {
  const color = readString(value, path, problems, { required: false, max: 7 });
  if (color !== undefined && !HEX_COLOR.test(color)) {
    problems.add(path, 'errors.invalid_format', `${path} must be a hex color such as #49BED8`);
    return undefined;
  }
  return color;
}

/** A required printable id: no control characters, not blank. */
export function readId(value: unknown, path: string, problems: Problems, max: number): string | undefined {
  const id = readString(value, path, problems, { required: true, min: 1, max });
  if (id !== undefined && hasControl(id)) {
    problems.add(path, 'errors.invalid_format', `${path} must not contain control characters`);
    return undefined;
  }
  return id;
}

/** The local date (`YYYY-MM-DD`) of `ms` in `zone`. */
export function localDateText(zone: string, ms: number): string {
  const p = localParts(zone, ms);
  return `${String(p.year).padStart(4, '0')}-${String(p.month).padStart(2, '0')}-${String(p.day).padStart(2, '0')}`;
}
