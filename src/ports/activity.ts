/**
 * The operator's record of what changed (docs/deployment.md, "Logs"): one line per booking,
 * reschedule and cancel, written by main.ts's logger. Ids only: never a token, secret or the
 * invitee's answers.
 */
export type LinkActivity = 'booked' | 'rescheduled' | 'cancelled';

export interface ActivityLog {
  link(
    activity: LinkActivity,
    fields: {
      readonly linkId: string;
      readonly applicationId: string;
      /** The first step's start and the last step's end (ISO), when something is booked. */
      readonly start?: string;
      readonly end?: string;
      readonly steps?: number;
    },
  ): void;
}
