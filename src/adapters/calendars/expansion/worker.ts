/**
 * An expansion worker thread (pool.ts): parses and expands one source read at a time and
 * posts the busy intervals back as one transferable Float64Array of [start, end] pairs. It keeps
 * ical.js's parse cache (ical/expand.ts) between jobs, nothing else.
 */
import { parentPort } from 'node:worker_threads';
import type { ExternalCalendarErrorCode } from '../../../ports/external-calendars.ts';
import { lowerThisThreadPriority } from '../../background-priority.ts';
import { type ExpansionRequest, expandFetched } from './expansion.ts';

export type ExpansionReply =
  /** Sent once, when the worker has loaded the parser and takes jobs. */
  | { readonly id: 0; readonly ready: true }
  | { readonly id: number; readonly ok: true; readonly bounds: Float64Array; readonly ignored: string[] }
  | {
      readonly id: number;
      readonly ok: false;
      readonly code: ExternalCalendarErrorCode;
      readonly message: string;
    };

const port = parentPort;
if (port === null) throw new Error('expansion/worker.ts runs as a worker thread (see expansion/pool.ts)');
lowerThisThreadPriority();
port.on('message', async ({ id, job: request }: { id: number; job: ExpansionRequest }) => {
  try {
    const { busy, ignored } = await expandFetched(request);
    const bounds = new Float64Array(busy.length * 2);
    busy.forEach((interval, i) => {
      bounds[2 * i] = interval.start;
      bounds[2 * i + 1] = interval.end;
    });
    port.postMessage({ id, ok: true, bounds, ignored } satisfies ExpansionReply, [bounds.buffer]);
  } catch (error) {
    const code = (error as { code?: ExternalCalendarErrorCode }).code ?? 'parse_failed';
    const message = error instanceof Error ? error.message : String(error);
    port.postMessage({ id, ok: false, code, message } satisfies ExpansionReply);
  }
});
port.postMessage({ id: 0, ready: true } satisfies ExpansionReply);
