/**
 * `rtseq links reschedule|cancel --id …` (SPEC 6.6): the same use cases as
 * `POST /v1/real_time_{sequencing,scheduling}/{id}/reschedule` and `…/cancel`, for an operator;
 * `rtseq links explain ID` (SPEC 5.7) as `GET …/{id}?explain=true`, printed readably.
 * The link is found by its id among every application of this database.
 */
import type { ExplanationDocument } from '../app/availability/explanation.ts';
import { explainLinkNow } from '../app/booking/link-explanation.ts';
import type { AppContext } from '../app/context.ts';
import { cancelLink, requestReschedule } from '../app/links/link-changes.ts';
import { linkDocument } from '../app/links/link-wire.ts';
import { type LoadedLink, linkById } from '../app/links/links.ts';
import type { Config } from '../config/config.ts';
import { DomainError } from '../domain/errors.ts';
import type { Args } from './args.ts';
import { withContext } from './context.ts';

async function findLink(ctx: AppContext, id: string): Promise<LoadedLink> {
  const kind = id.startsWith('sch_') ? 'scheduling' : 'sequencing';
  const applications = await ctx.store.read((repos) => repos.applications.list());
  for (const application of applications) {
    try {
      return { link: await linkById(ctx, application, kind, id), application };
    } catch (error) {
      if (!(error instanceof DomainError) || error.code !== 'not_found') throw error;
    }
  }
  throw new DomainError('not_found', `No link ${id}`);
}

/** A 422's problems as lines, so the operator sees every one. */
function describe(error: unknown): never {
  if (error instanceof DomainError && error.problems.length > 0) {
    throw new DomainError(error.code, error.problems.map((p) => `${p.path}: ${p.description}`).join('\n'));
  }
  throw error;
}

/** An explanation as lines an operator reads: the summary, each reason, each member's minutes. */
export function explanationText(id: string, explanation: ExplanationDocument): string {
  const step = (entry: { sequence_id?: string | number }) =>
    entry.sequence_id === undefined ? '' : ` (step ${String(entry.sequence_id)})`;
  const lines = [`${id}: ${explanation.summary}`];
  if (explanation.reasons.length > 0) {
    lines.push('', 'Reasons:');
    for (const reason of explanation.reasons) {
      const subs = reason.subs.length === 0 ? '' : ` ${reason.subs.join(', ')}`;
      lines.push(`  ${reason.code}${step(reason)}:${subs}`, `    ${reason.description}`);
    }
  }
  if (explanation.members.length > 0) {
    lines.push('', 'Members (minutes in the query periods after minimum notice):');
    for (const member of explanation.members) {
      const source = member.unavailable_source;
      const failed =
        source === undefined ? '' : `; calendar ${source.calendar_id} could not be read: ${source.reason}`;
      lines.push(
        `  ${member.sub}${step(member)}: open ${member.open_minutes}, free ${member.free_minutes}${failed}`,
      );
    }
  }
  return lines.join('\n');
}

async function explain(config: Config, args: Args, out: (text: string) => void): Promise<void> {
  const id = args.operands[0] ?? args.required('id');
  const explanation = await withContext(config, async (ctx) => explainLinkNow(ctx, await findLink(ctx, id)));
  out(args.json ? JSON.stringify({ explanation }) : explanationText(id, explanation));
}

export async function runLinkCommand(
  config: Config,
  args: Args,
  out: (text: string) => void,
): Promise<boolean> {
  if (args.sub === 'explain') {
    await explain(config, args, out);
    return true;
  }
  if (args.sub !== 'reschedule' && args.sub !== 'cancel') return false;
  const id = args.required('id');
  const document = await withContext(config, async (ctx) => {
    const loaded = await findLink(ctx, id);
    if (args.sub === 'reschedule') {
      const steps = args
        .optional('steps')
        ?.split(',')
        .map((s) => s.trim());
      const changed = await requestReschedule(ctx, loaded, steps ?? null).catch(describe);
      return linkDocument(ctx, changed);
    }
    const cancelled = await cancelLink(ctx, loaded.link, args.optional('reason') ?? null).catch(describe);
    return linkDocument(ctx, cancelled);
  });
  if (args.json) out(JSON.stringify(document));
  else if (args.sub === 'reschedule') {
    out(`${id} is rescheduling; the invitee chooses a new time at ${String(document.url)}`);
  } else out(`${id} is cancelled; its events are deleted and the callback is queued.`);
  return true;
}
