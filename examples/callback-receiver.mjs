// A minimal callback receiver for docs/quickstart.md: verifies each callback's
// Cronofy-HMAC-SHA256 header with your client secret and prints what arrived.
// Plain JavaScript on Node's standard library: copy it into any project.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer } from 'node:http';

const secret = process.env.CLIENT_SECRET;
const port = Number(process.env.RECEIVER_PORT ?? 4000);
if (!secret) throw new Error('set CLIENT_SECRET to your application client secret');

/** True when one of the header's comma-separated signatures is the HMAC of the body. */
function hmacValid(body, header) {
  const expected = createHmac('sha256', secret).update(body).digest();
  return String(header ?? '')
    .split(',')
    .some((signature) => {
      const given = Buffer.from(signature.trim(), 'base64');
      return given.length === expected.length && timingSafeEqual(given, expected);
    });
}

createServer((request, response) => {
  const chunks = [];
  request.on('data', (chunk) => chunks.push(chunk));
  request.on('end', () => {
    const body = Buffer.concat(chunks);
    const valid = hmacValid(body, request.headers['cronofy-hmac-sha256']);
    let type = 'unknown';
    try {
      type = JSON.parse(body.toString('utf8')).notification?.type ?? type;
    } catch {}
    console.log(`callback ${type}: HMAC ${valid ? 'verified' : 'NOT verified'}`);
    // Answer 2xx only for a genuine callback; rtseq retries anything else.
    response.writeHead(valid ? 200 : 401).end();
  });
}).listen(port, '127.0.0.1', () => console.log(`receiver listening on http://127.0.0.1:${port}/callback`));
