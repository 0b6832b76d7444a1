/**
 * Logs (pino): JSON lines, or short readable lines on a terminal (LOG_FORMAT=auto), always on
 * stderr, so stdout carries only what the `rtseq` command prints (the demo banner, CLI output).
 * Tokens in URLs and credentials in headers or bodies never reach a line.
 */
import pino from 'pino';
import type { Config } from '../config/config.ts';

export type UrlRedactor = (url: string) => string;

const LEVELS: Readonly<Record<number, string>> = {
  10: 'TRACE',
  20: 'DEBUG',
  30: 'INFO ',
  40: 'WARN ',
  50: 'ERROR',
  60: 'FATAL',
};
const OMIT = new Set(['level', 'time', 'msg', 'pid', 'hostname', 'service', 'data_center']);

/** One JSON log line as `12:04:05 INFO  message key=value …`. */
export function prettyLine(line: string): string {
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return line.endsWith('\n') ? line : `${line}\n`;
  }
  const time = typeof entry.time === 'number' ? new Date(entry.time).toISOString().slice(11, 19) : '';
  const level = LEVELS[Number(entry.level)] ?? String(entry.level);
  const fields = Object.entries(entry)
    .filter(([key]) => !OMIT.has(key))
    .map(([key, value]) => `${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`);
  return `${time} ${level} ${String(entry.msg ?? '')}${fields.length > 0 ? `  ${fields.join(' ')}` : ''}\n`;
}

function prettyStderr(): pino.DestinationStream {
  return { write: (line: string) => void process.stderr.write(prettyLine(line)) };
}

export function makeLogger(config: Config, redactUrl: UrlRedactor, destination?: pino.DestinationStream) {
  const pretty =
    config.logFormat === 'pretty' || (config.logFormat === 'auto' && process.stderr.isTTY === true);
  return pino(
    {
      level: config.logLevel,
      base: { service: 'rtseq', data_center: config.dataCenter },
      redact: {
        paths: [
          'req.headers.authorization',
          'headers.authorization',
          '*.client_secret',
          '*.access_token',
          '*.password',
        ],
        censor: '[redacted]',
      },
      serializers: {
        req: (req: { method?: string; url?: string; id?: string }) => ({
          method: req.method,
          url: redactUrl(req.url ?? ''),
        }),
      },
    },
    destination ?? (pretty ? prettyStderr() : pino.destination(2)),
  );
}
