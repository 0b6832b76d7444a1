import type { Repos, Store } from '../../../ports/store.ts';

/** Placeholder until the PostgreSQL adapter lands (issue 5). */
export class PostgresStore implements Store {
  readonly kind = 'postgres' as const;
  constructor(_url: string, _options: { poolMax: number }) {
    throw new Error('PostgreSQL storage is not available yet');
  }
  transaction<T>(_work: (repos: Repos) => Promise<T>): Promise<T> {
    throw new Error('unavailable');
  }
  read<T>(_work: (repos: Repos) => Promise<T>): Promise<T> {
    throw new Error('unavailable');
  }
  async migrate(): Promise<string[]> {
    return [];
  }
  async ping(): Promise<void> {}
  async close(): Promise<void> {}
}
