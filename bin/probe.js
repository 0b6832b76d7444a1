#!/usr/bin/env node
// Health probe for containers without curl (Dockerfile HEALTHCHECK): GET http://127.0.0.1:$PORT<path>,
// exit 0 on a 2xx answer, 1 otherwise (no answer within 4 s included).
const path = process.argv[2] ?? '/readyz';
const port = process.env.PORT ?? '8080';
try {
  const response = await fetch(`http://127.0.0.1:${port}${path}`, { signal: AbortSignal.timeout(4000) });
  process.exit(response.ok ? 0 : 1);
} catch {
  process.exit(1);
}
