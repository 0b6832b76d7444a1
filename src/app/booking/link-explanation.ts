/**
 * Why a link's page has no times right now (SPEC 5.7): the page's own query (its holds left out,
 * while rescheduling its booking left out and fixed steps pinned), searched and explained in one
 * compute job. For the application (`GET …/{id}?explain=true`) and the operator (`rtseq links
 * explain`), never for the invitee: the reasons name other people's calendars.
 */
import { explainSequences } from '../../domain/engine/explain.ts';
import { findMovedSequences } from '../../domain/engine/moved.ts';
import { accountNames, sequenceWording, withinBudget } from '../availability/availability.ts';
import {
  type ExplanationDocument,
  explainRequest,
  explanationDocument,
  sequencesExplained,
} from '../availability/explanation.ts';
import type { AppContext } from '../context.ts';
import { statusOf } from '../links/link-model.ts';
import type { LoadedLink } from '../links/links.ts';
import { linkQuery } from './rebooking.ts';

export async function explainLinkNow(ctx: AppContext, loaded: LoadedLink): Promise<ExplanationDocument> {
  const { link } = loaded;
  const status = statusOf(link, ctx.clock.now());
  if (status !== 'open' && status !== 'rescheduling') {
    return {
      summary: `The link is ${status}: its page offers no times to choose, so there is nothing to explain.`,
      reasons: [],
      members: [],
    };
  }
  const found = await linkQuery(ctx, loaded, { fresh: false, ignoreHoldsOf: link.id });
  const explain = explainRequest(found.resolved.failures);
  const wording = sequenceWording(link.request.sequence, link.kind === 'sequencing');
  const moving = found.moving;
  if (moving !== null && moving.length < found.query.steps.length) {
    // Some steps stay where they are booked: the page searches with the moved-steps search.
    const options = findMovedSequences(found.query, moving);
    const explanation = explainSequences(found.query, options.length, explain);
    return explanationDocument(explanation, wording, accountNames(found.resolved));
  }
  const answer = await withinBudget('sequence', () => sequencesExplained(ctx.compute, found.query, explain));
  return explanationDocument(answer.explanation, wording, accountNames(found.resolved));
}
