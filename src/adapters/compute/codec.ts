/**
 * Engine queries as they cross to a worker thread: every member's busy and open intervals packed
 * into transferable typed arrays (moved, not copied), each distinct member once however many
 * groups name it, and the groups as member indices. Only small scalars travel as plain data.
 */
import type { MemberLoad } from '../../domain/engine/constraints.ts';
import type {
  AvailabilityQuery,
  Group,
  MemberAvailability,
  SequenceQuery,
  SequenceStep,
} from '../../domain/engine/types.ts';
import type { Interval } from '../../domain/time/intervals.ts';
import type { ExplainRequest } from '../../ports/compute.ts';

export type PackedMembers = {
  readonly subs: string[];
  /** [start, end] pairs of every member's busy time; member i owns pairs busyEnds[i-1] to busyEnds[i]. */
  readonly busy: Float64Array;
  readonly busyEnds: Uint32Array;
  readonly open: Float64Array;
  readonly openEnds: Uint32Array;
  /** 1 when the member's open time restricts it (open is not null). */
  readonly restricted: Uint8Array;
  /**
   * Each member's prepared availability constraints, or null (the common case). Plain data: a few
   * periods per constraint, cloned with the message.
   */
  readonly loads: readonly (MemberLoad | null)[];
};

export type PackedGroups = {
  /** Member indices of every group, one group after another. */
  readonly members: Uint32Array;
  readonly memberEnds: Uint32Array;
  readonly required: Uint32Array;
  /** Group list of list i (a step, or the one list of an availability query) ends at listEnds[i]. */
  readonly listEnds: Uint32Array;
};

type StepScalars = Omit<SequenceStep, 'groups'>;

export type ComputeJob =
  | {
      readonly kind: 'sequences';
      readonly query: Omit<SequenceQuery, 'steps'> & { readonly steps: readonly StepScalars[] };
      readonly members: PackedMembers;
      readonly groups: PackedGroups;
      /** Present when the request asked for an explanation (SPEC 5.7); a Map is cloned, not moved. */
      readonly explain?: ExplainRequest;
    }
  | {
      readonly kind: 'availability';
      readonly query: Omit<AvailabilityQuery, 'groups'>;
      readonly members: PackedMembers;
      readonly groups: PackedGroups;
      readonly explain?: ExplainRequest;
    };

function packIntervals(lists: readonly (readonly Interval[])[]): { bounds: Float64Array; ends: Uint32Array } {
  let total = 0;
  for (const list of lists) total += list.length;
  const bounds = new Float64Array(total * 2);
  const ends = new Uint32Array(lists.length);
  let at = 0;
  lists.forEach((list, i) => {
    for (const interval of list) {
      bounds[at++] = interval.start;
      bounds[at++] = interval.end;
    }
    ends[i] = at / 2;
  });
  return { bounds, ends };
}

function pack(lists: readonly (readonly Group[])[]): { members: PackedMembers; groups: PackedGroups } {
  const index = new Map<MemberAvailability, number>();
  const distinct: MemberAvailability[] = [];
  const memberIndices: number[] = [];
  const memberEnds: number[] = [];
  const required: number[] = [];
  const listEnds: number[] = [];
  for (const groups of lists) {
    for (const group of groups) {
      for (const member of group.members) {
        let i = index.get(member);
        if (i === undefined) {
          i = distinct.push(member) - 1;
          index.set(member, i);
        }
        memberIndices.push(i);
      }
      memberEnds.push(memberIndices.length);
      required.push(group.required);
    }
    listEnds.push(required.length);
  }
  const busy = packIntervals(distinct.map((m) => m.busy));
  const open = packIntervals(distinct.map((m) => m.open ?? []));
  return {
    members: {
      subs: distinct.map((m) => m.sub),
      busy: busy.bounds,
      busyEnds: busy.ends,
      open: open.bounds,
      openEnds: open.ends,
      restricted: Uint8Array.from(distinct, (m) => (m.open === null ? 0 : 1)),
      loads: distinct.map((m) => m.load ?? null),
    },
    groups: {
      members: Uint32Array.from(memberIndices),
      memberEnds: Uint32Array.from(memberEnds),
      required: Uint32Array.from(required),
      listEnds: Uint32Array.from(listEnds),
    },
  };
}

export function encodeSequences(query: SequenceQuery, explain?: ExplainRequest): ComputeJob {
  const { members, groups } = pack(query.steps.map((step) => step.groups));
  const steps = query.steps.map(({ groups: _groups, ...scalars }) => scalars);
  const job: ComputeJob = { kind: 'sequences', query: { ...query, steps }, members, groups };
  return explain === undefined ? job : { ...job, explain };
}

export function encodeAvailability(query: AvailabilityQuery, explain?: ExplainRequest): ComputeJob {
  const { members, groups } = pack([query.groups]);
  const { groups: _groups, ...scalars } = query;
  const job: ComputeJob = { kind: 'availability', query: scalars, members, groups };
  return explain === undefined ? job : { ...job, explain };
}

/** The buffers to move with a job (the job's arrays are unusable in the sender afterwards). */
export function transferList(job: ComputeJob): ArrayBuffer[] {
  const { members, groups } = job;
  return [
    members.busy,
    members.busyEnds,
    members.open,
    members.openEnds,
    members.restricted,
    groups.members,
    groups.memberEnds,
    groups.required,
    groups.listEnds,
  ].map((array) => array.buffer as ArrayBuffer);
}

function unpackIntervals(bounds: Float64Array, from: number, to: number): Interval[] {
  const out: Interval[] = new Array(to - from);
  for (let i = from; i < to; i += 1) out[i - from] = { start: bounds[2 * i]!, end: bounds[2 * i + 1]! };
  return out;
}

/** The engine's groups again, list by list; a member named by several groups is one object. */
export function decodeGroups(members: PackedMembers, groups: PackedGroups): Group[][] {
  const decoded: MemberAvailability[] = members.subs.map((sub, i) => ({
    sub,
    ...(members.loads[i] ? { load: members.loads[i] } : {}),
    busy: unpackIntervals(members.busy, i === 0 ? 0 : members.busyEnds[i - 1]!, members.busyEnds[i]!),
    open:
      members.restricted[i] === 1
        ? unpackIntervals(members.open, i === 0 ? 0 : members.openEnds[i - 1]!, members.openEnds[i]!)
        : null,
  }));
  const lists: Group[][] = [];
  let group = 0;
  for (const listEnd of groups.listEnds) {
    const list: Group[] = [];
    for (; group < listEnd; group += 1) {
      const from = group === 0 ? 0 : groups.memberEnds[group - 1]!;
      const indices = groups.members.subarray(from, groups.memberEnds[group]!);
      list.push({ members: Array.from(indices, (i) => decoded[i]!), required: groups.required[group]! });
    }
    lists.push(list);
  }
  return lists;
}
