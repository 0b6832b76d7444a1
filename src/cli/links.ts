/**
 * `rtseq links list|status|reschedule|cancel` for an operator. `reschedule` and `cancel` (SPEC 6.6)
 * are the same use cases as `POST /v1/real_time_{sequencing,scheduling}/{id}/reschedule` and
 * `…/cancel`; `status` is the document of `GET /v1/real_time_sequencing/{id}`. A link is found by
 * its id among every application of this database. `explain ID` (SPEC 5.7) is
 * `GET …/{id}?explain=true`, printed readably.
 */
import type { ExplanationDocument } from '../app/availability/explanation.ts';
import { explainLinkNow } from '../app/booking/link-explanation.ts';
import type { AppContext } from '../app/context.ts';
import { cancelLink, requestReschedule } from '../app/links/link-changes.ts';
import { decodeLink, statusOf } from '../app/links/link-model.ts';
import { linkDocument } from '../app/links/link-wire.ts';
import { type LoadedLink, linkById } from '../app/links/links.ts';
import type { Config } from '../config/config.ts';
import { DomainError } from '../domain/errors.ts';
import { formatUtc } from '../domain/time/format.ts';
import type { LinkStatus } from '../ports/store.ts';
import { type Args, UsageError } from './args.ts';
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
  if (args.sub === 'list') return listLinks(config, args, out);
  if (args.sub === 'status') {
    const id = args.required('id');
    const document = await withContext(
      config,
      async (ctx) => linkDocument(ctx, (await findLink(ctx, id)).link),
      { access: 'read' },
    );
    if (args.json) out(JSON.stringify(document));
    else out(describeDocument(id, document));
    return true;
  }
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

const STATUSES: readonly LinkStatus[] = ['open', 'completed', 'disabled', 'rescheduling', 'cancelled'];

async function listLinks(config: Config, args: Args, out: (text: string) => void): Promise<boolean> {
  const status = args.optional('status');
  if (status !== undefined && !STATUSES.includes(status as LinkStatus))
    throw new UsageError(`rtseq: --status must be one of ${STATUSES.join(', ')}`);
  const limitText = args.optional('limit') ?? '50';
  if (!/^\d{1,5}$/.test(limitText) || Number(limitText) < 1)
    throw new UsageError('rtseq: --limit must be a whole number from 1 to 99999');
  const clientId = args.optional('client-id');
  const rows = await withContext(
    config,
    async (ctx) => {
      const applications = await ctx.store.read((repos) => repos.applications.list());
      const application =
        clientId === undefined ? undefined : applications.find((a) => a.clientId === clientId);
      if (clientId !== undefined && application === undefined)
        throw new DomainError('not_found', `No application ${clientId}`);
      const links = await ctx.store.read((repos) =>
        repos.links.list({
          ...(application === undefined ? {} : { applicationId: application.id }),
          ...(status === undefined ? {} : { status: status as LinkStatus }),
          limit: Number(limitText),
        }),
      );
      const clientIds = new Map(applications.map((a) => [a.id, a.clientId]));
      const now = ctx.clock.now();
      return links.map((link) => ({
        id: link.id,
        kind: link.kind,
        status: statusOf(decodeLink(link), now),
        client_id: clientIds.get(link.applicationId) ?? link.applicationId,
        created: formatUtc(link.createdAt),
        expires: formatUtc(link.expiresAt),
      }));
    },
    { access: 'read' },
  );
  if (args.json) out(JSON.stringify({ links: rows }));
  else {
    for (const r of rows)
      out(
        `${r.id}  ${r.status.padEnd(12)} ${r.kind.padEnd(10)} created ${r.created}  expires ${r.expires}  ${r.client_id}`,
      );
    if (rows.length === 0) out('No links.');
  }
  return true;
}

/** The status document as lines an operator reads. */
function describeDocument(id: string, document: Record<string, unknown>): string {
  const lines = [`${id}  ${String(document.status)}`, `  page  ${String(document.url)}`];
  const event = document.event as { start?: { time: string }; end?: { time: string } } | undefined;
  if (event?.start !== undefined) lines.push(`  booked ${event.start.time} – ${event.end?.time ?? ''}`);
  for (const step of (document.sequence as
    | { sequence_id: unknown; start: string; end: string }[]
    | undefined) ?? [])
    lines.push(`    step ${String(step.sequence_id)}  ${step.start} – ${step.end}`);
  if (typeof document.display_message === 'string') lines.push(`  message ${document.display_message}`);
  return lines.join('\n');
}
