// autocannon ships no types; the benchmarks use this much of it.
declare module 'autocannon' {
  type Result = {
    requests: { average: number; total: number };
    latency: { p50: number; p90: number; p99: number; average: number; max: number };
    non2xx: number;
    errors: number;
    timeouts: number;
    /** Seconds the run took. */
    duration: number;
  };
  type Request = { method?: string; path?: string; headers?: Record<string, string>; body?: string };
  export type Options = {
    url: string;
    method?: string;
    connections?: number;
    duration?: number;
    amount?: number;
    headers?: Record<string, string>;
    body?: string;
    /** Called before each request; what it returns is sent. */
    requests?: { setupRequest?: (request: Request) => Request }[];
  };
  export default function autocannon(options: Options): Promise<Result>;
}
