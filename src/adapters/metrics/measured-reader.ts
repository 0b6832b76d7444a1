/** An {@link ExternalCalendarReader} that reports each source read's latency and outcome. */
import type { Interval } from '../../domain/time/intervals.ts';
import type {
  BusyReadResult,
  ExternalCalendarReader,
  ExternalCalendarRef,
} from '../../ports/external-calendars.ts';
import type { Metrics } from '../../ports/metrics.ts';

export function measuredReader(reader: ExternalCalendarReader, metrics: Metrics): ExternalCalendarReader {
  return {
    async readBusy(
      ref: ExternalCalendarRef,
      window: Interval,
      calendarZone: string,
    ): Promise<BusyReadResult> {
      const started = performance.now();
      let ok = false;
      try {
        const result = await reader.readBusy(ref, window, calendarZone);
        ok = true;
        return result;
      } finally {
        metrics.calendarRead(ref.kind, (performance.now() - started) / 1000, ok);
      }
    },
  };
}
