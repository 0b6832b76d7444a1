/**
 * `POST /book/{token}/none`: "None of these times work" (SPEC 6.2), with an optional note of at
 * most 1000 characters; then `GET /book/{token}/none?told=…` says what happened
 * (POST-redirect-GET: a reload sends nothing again).
 */
import type { FastifyInstance } from 'fastify';
import { reportNoTimesSuitable } from '../../app/booking/booking.ts';
import { allows } from '../../app/links/link-lifecycle.ts';
import { statusOf } from '../../app/links/link-model.ts';
import { loadLinkForPage } from '../../app/links/links.ts';
import { FORM_BODY_LIMIT, type PageKit } from '../page-kit.ts';
import type { TokenParams } from '../session.ts';
import { pageHref } from '../views/common.ts';

export const MAX_NOTE_CHARS = 1000;

/** The note as plain text: trimmed, line breaks normalised; null when empty; undefined when too long. */
export function readNote(value: unknown): string | null | undefined {
  if (typeof value !== 'string') return null;
  const note = value.replace(/\r\n?/g, '\n').trim();
  if (note === '') return null;
  return [...note].length > MAX_NOTE_CHARS ? undefined : note;
}

export function registerNone(scope: FastifyInstance, kit: PageKit): void {
  scope.post<{ Params: TokenParams }>(
    '/:token/none',
    { bodyLimit: FORM_BODY_LIMIT },
    async (request, reply) => {
      const post = await kit.openPost(request, reply);
      if (post === undefined) return reply;
      const { env, loaded } = post;
      // A closed link shows its own state instead (completed, disabled, expired).
      if (!allows(statusOf(loaded.link, kit.ctx.clock.now()), 'report_none', 'invitee'))
        return reply.redirect(pageHref(env), 303);
      const note = readNote(post.form.note);
      if (note === undefined) return kit.say(reply, 400, env, 'bad_note', { back: kit.back(env) });
      const result = await reportNoTimesSuitable(kit.ctx, loaded.link, note);
      return reply.redirect(`${pageHref(env, {}, '/none')}&told=${result.notified ? 1 : 0}`, 303);
    },
  );

  scope.get<{ Params: TokenParams; Querystring: Record<string, unknown> }>(
    '/:token/none',
    async (request, reply) => {
      const { token } = request.params;
      const loaded = await loadLinkForPage(kit.ctx, token);
      if (loaded === undefined) return kit.notFound(request, reply);
      const env = kit.env(request, {
        token,
        link: loaded.link,
        application: loaded.application,
        raw: request.query,
      });
      const told = request.query.told;
      if (told !== '1' && told !== '0') return reply.redirect(pageHref(env), 303);
      return kit.say(reply, 200, env, told === '1' ? 'none_told' : 'none_plain', {
        back: kit.back(env),
        contact: true,
      });
    },
  );
}
