/**
 * A choice could not be checked because an external (CalDAV, ICS) calendar of the link failed or
 * timed out when read for it (SPEC 8: never silently free): nothing was written, and the page
 * says the calendar could not be checked, not that the time was taken.
 */
export class CalendarsUncheckedError extends Error {
  override name = 'CalendarsUncheckedError';
  constructor() {
    super('an external calendar of the link could not be read to check the choice');
  }
}
