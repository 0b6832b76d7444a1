/**
 * Which IP addresses a callback may not reach unless ALLOW_PRIVATE_CALLBACKS is set (SPEC 6.4):
 * loopback, private, link-local, unspecified, carrier-grade NAT, and IPv6 equivalents.
 */

function ipv4Parts(address: string): number[] | undefined {
  const parts = address.split('.');
  if (parts.length !== 4 || parts.some((p) => !/^\d{1,3}$/.test(p) || Number(p) > 255)) return undefined;
  return parts.map(Number);
}

function isPrivateIpv4([a, b]: number[]): boolean {
  return (
    a === 0 ||
    a === 10 ||
    a === 127 ||
    (a === 100 && b! >= 64 && b! <= 127) ||
    (a === 169 && b === 254) ||
    (a === 172 && b! >= 16 && b! <= 31) ||
    (a === 192 && b === 168) ||
    (a === 198 && (b === 18 || b === 19)) ||
    a! >= 224
  );
}

/** True for addresses a public callback must not resolve to. Unparseable input counts as private. */
export function isPrivateAddress(address: string): boolean {
  const bare = address.replace(/^\[|\]$/g, '').toLowerCase();
  const v4 = ipv4Parts(bare);
  if (v4 !== undefined) return isPrivateIpv4(v4);
  if (!bare.includes(':')) return true;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(bare);
  if (mapped !== null) return isPrivateAddress(mapped[1]!);
  if (bare === '::' || bare === '::1') return true;
  const first = Number.parseInt(bare.split(':')[0] || '0', 16);
  return (first & 0xfe00) === 0xfc00 || (first & 0xffc0) === 0xfe80 || (first & 0xff00) === 0xff00;
}

/** A host that is obviously local by name or literal address, checked before any DNS lookup. */
export function isPrivateHostLiteral(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  if (ipv4Parts(host) !== undefined || host.includes(':')) return isPrivateAddress(host);
  return false;
}
