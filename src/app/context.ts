/**
 * What every use case needs, injected by main.ts (or by a test). app/ sees ports only.
 */
import type { Config } from '../config/config.ts';
import type { ExternalBusySource } from '../ports/busy-source.ts';
import type { Clock, Ids, SecretBox } from '../ports/runtime.ts';
import type { Store } from '../ports/store.ts';

export type AppContext = {
  readonly config: Config;
  readonly store: Store;
  readonly clock: Clock;
  readonly ids: Ids;
  readonly secrets: SecretBox;
  /** Reads busy time of external (CalDAV/ICS) calendars; absent when none are configured. */
  readonly external: ExternalBusySource | null;
};
