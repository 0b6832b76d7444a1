/**
 * `GET /book/zones.json?lang=…&hf=…`: every time zone with its friendly name and current local
 * time, for the zone search (the page itself lists about thirty). Built at most once a minute per
 * language and clock, and the same for every link, so browsers may keep it for a minute.
 */
import type { FastifyInstance } from 'fastify';
import { isLanguage } from '../i18n/index.ts';
import { localeHourFormat } from '../intl.ts';
import type { PageKit } from '../page-kit.ts';
import { allZoneChoices } from '../zones.ts';

export function registerZones(scope: FastifyInstance, kit: PageKit): void {
  scope.get<{ Querystring: Record<string, unknown> }>('/zones.json', async (request, reply) => {
    const { lang, hf } = request.query;
    const tag = isLanguage(lang) ? lang : 'en';
    const hourFormat = hf === 'h' || hf === 'H' ? hf : localeHourFormat(tag);
    const zones = allZoneChoices(tag, hourFormat, kit.ctx.clock.now()).map((z) => [z.id, z.label]);
    return reply.header('cache-control', 'public, max-age=60').send({ zones });
  });
}
