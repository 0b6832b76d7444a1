/**
 * Shared JSON schemas (TypeBox) of the wire format. They document the API (OpenAPI) and are
 * checked against example requests and real responses in test/http/schemas.test.ts; the wire
 * readers in http/wire/ do the validation.
 */
import { Type } from 'typebox';

const open = { additionalProperties: true } as const;

export const UtcTime = Type.String({
  description: 'UTC time, YYYY-MM-DDTHH:MM:SSZ (a space for T, +00:00 for Z and .000 are accepted)',
  examples: ['2026-01-30T09:00:00Z'],
});
export const Duration = Type.Object(
  {
    minutes: Type.Optional(Type.Integer({ minimum: 0 })),
    hours: Type.Optional(Type.Integer({ minimum: 0 })),
  },
  { ...open, description: 'Duration; responses always use minutes only' },
);
export const Period = Type.Object({ start: UtcTime, end: UtcTime }, open);
export const Periods = Type.Array(Period);
export const BufferSide = Type.Union([
  Duration,
  Type.Object({ minimum: Type.Optional(Duration), maximum: Type.Optional(Duration) }, open),
]);
export const Buffer = Type.Object(
  { before: Type.Optional(BufferSide), after: Type.Optional(BufferSide) },
  open,
);
/** Event tags (SPEC 7): at most 10 values of at most 64 characters. */
export const Tags = Type.Object(
  {
    private: Type.Array(Type.Object({ value: Type.String({ minLength: 1, maxLength: 64 }) }), {
      maxItems: 10,
    }),
  },
  { additionalProperties: true },
);

/** One item of a member's `availability_constraints` (SPEC 5.1). */
export const AvailabilityConstraintSchema = Type.Object(
  {
    limit: Type.Integer({ minimum: 1 }),
    period: Type.Union([Type.Literal('day'), Type.Literal('week'), Type.Literal('month')]),
    tzid: Type.Optional(Type.String({ description: 'IANA zone of the periods; default UTC' })),
    tags: Type.Optional(Tags),
  },
  { additionalProperties: true },
);

export const Member = Type.Object(
  {
    sub: Type.String(),
    calendar_ids: Type.Optional(Type.Array(Type.String())),
    available_periods: Type.Optional(Periods),
    query_periods: Type.Optional(Periods),
    managed_availability: Type.Optional(Type.Boolean()),
    availability_rule_ids: Type.Optional(Type.Array(Type.String())),
    availability_constraints: Type.Optional(Type.Array(AvailabilityConstraintSchema, { maxItems: 5 })),
  },
  open,
);
export const Group = Type.Object(
  {
    members: Type.Array(Member),
    required: Type.Optional(Type.Union([Type.Literal('all'), Type.Integer({ minimum: 1 })])),
  },
  open,
);
export const Participant = Type.Object({ sub: Type.String() }, open);
export const SequenceId = Type.Union([Type.String(), Type.Number()], {
  description: 'Echoed with the JSON type it was sent with',
});
/**
 * What one meeting asks for: who, how long, on which grid and where. The same fields in an
 * availability query, a sequence step and a scheduling link's availability.
 */
export const StepFields = {
  participants: Type.Array(Group),
  required_duration: Duration,
  start_interval: Type.Optional(Duration),
  buffer: Type.Optional(Buffer),
  query_periods: Type.Optional(Periods),
  available_periods: Type.Optional(Periods),
};
export const SequenceStep = Type.Object(
  {
    sequence_id: SequenceId,
    ordinal: Type.Optional(Type.Integer({ minimum: 0 })),
    ...StepFields,
    event: Type.Optional(Type.Object({}, open)),
  },
  open,
);
/** rtseq's "why no times" (SPEC 5.7), given when the request asked with `explain`. */
export const Explanation = Type.Object(
  {
    summary: Type.String({ description: 'one sentence a coordinator can act on' }),
    reasons: Type.Array(
      Type.Object({
        code: Type.Union(
          [
            'in_the_past',
            'source_unavailable',
            'no_open_time',
            'constraint_limit',
            'fully_busy',
            'too_short',
            'no_common_time',
            'sequence_gaps',
          ].map((code) => Type.Literal(code)),
        ),
        description: Type.String(),
        subs: Type.Array(Type.String()),
        sequence_id: Type.Optional(SequenceId),
      }),
      { description: 'empty exactly when there are times' },
    ),
    members: Type.Array(
      Type.Object({
        sub: Type.String(),
        sequence_id: Type.Optional(SequenceId),
        open_minutes: Type.Integer(),
        free_minutes: Type.Integer(),
        unavailable_source: Type.Optional(Type.Object({ calendar_id: Type.String(), reason: Type.String() })),
      }),
    ),
  },
  { description: 'rtseq extension (SPEC 5.7): why there are no times' },
);
export const ErrorResponse = Type.Object(
  {
    errors: Type.Record(
      Type.String({ description: 'dotted field path' }),
      Type.Array(Type.Object({ key: Type.String(), description: Type.String() })),
    ),
  },
  { description: 'Every problem found, by field path' },
);
export const Pages = Type.Object({
  current: Type.Integer(),
  total: Type.Integer(),
  next_page: Type.Optional(Type.String({ description: 'absolute URL of the next page' })),
});

export const CRONOFY = ['cronofy'];
export const RTSEQ = ['rtseq'];
type Security = readonly Record<string, readonly string[]>[];
export const APPLICATION_AUTH: Security = [{ clientSecret: [] }];
export const ACCOUNT_AUTH: Security = [{ accessToken: [] }];
export const EITHER_AUTH: Security = [{ clientSecret: [] }, { accessToken: [] }];

/** Standard error responses for an authenticated JSON endpoint. */
export const ERRORS = {
  401: { ...ErrorResponse, description: 'credentials not recognised' },
  422: { ...ErrorResponse, description: 'invalid request: every problem, by field path' },
  429: { ...ErrorResponse, description: 'rate limited (Retry-After)' },
};
