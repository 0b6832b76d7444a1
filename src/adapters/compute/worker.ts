/**
 * A compute worker thread: decodes one job at a time, runs the pure engine, posts the result back.
 * Started by pool.ts; it holds no state between jobs.
 */
import { parentPort } from 'node:worker_threads';
import { findAvailability } from '../../domain/engine/availability.ts';
import { explainAvailability, explainSequences } from '../../domain/engine/explain.ts';
import { findSequences, SequenceTooComplexError } from '../../domain/engine/sequence.ts';
import { lowerThisThreadPriority } from '../background-priority.ts';
import { type ComputeJob, decodeGroups } from './codec.ts';
import { packSlots, slotTransfers } from './slots-codec.ts';

export type WorkerReply =
  /** Sent once, when the worker has loaded the engine and takes jobs. */
  | { readonly id: 0; readonly ready: true }
  | { readonly id: number; readonly ok: true; readonly result: unknown }
  | { readonly id: number; readonly ok: false; readonly tooComplex: boolean; readonly message: string };

/** The engine's answer, or with `explain` the answer and its explanation (SPEC 5.7) from the same query. */
function run(job: ComputeJob): unknown {
  const lists = decodeGroups(job.members, job.groups);
  if (job.kind === 'availability') {
    const query = { ...job.query, groups: lists[0] ?? [] };
    const slots = findAvailability(query);
    if (job.explain === undefined) return packSlots(slots);
    return { slots: packSlots(slots), explanation: explainAvailability(query, slots.length, job.explain) };
  }
  const query = {
    ...job.query,
    steps: job.query.steps.map((step, i) => ({ ...step, groups: lists[i] ?? [] })),
  };
  const options = findSequences(query);
  if (job.explain === undefined) return options;
  return { options, explanation: explainSequences(query, options.length, job.explain) };
}

const port = parentPort;
if (port === null) throw new Error('worker.ts runs as a worker thread (see pool.ts)');
lowerThisThreadPriority();
port.on('message', ({ id, job }: { id: number; job: ComputeJob }) => {
  let reply: WorkerReply;
  let transfer: ArrayBuffer[] = [];
  try {
    const result = run(job);
    transfer = slotTransfers(result);
    reply = { id, ok: true, result };
  } catch (error) {
    reply = {
      id,
      ok: false,
      tooComplex: error instanceof SequenceTooComplexError,
      message: error instanceof Error ? error.message : String(error),
    };
  }
  port.postMessage(reply, transfer);
});
port.postMessage({ id: 0, ready: true } satisfies WorkerReply);
