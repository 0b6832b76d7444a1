/**
 * Which addresses an outbound request to a client-given URL may not reach (SPEC 8a), and how a
 * host is read before it is judged. Pure: no DNS here; adapters/net/outbound.ts resolves names
 * and asks these functions about every address it gets back.
 *
 * Refused: loopback, unspecified, private, carrier-grade NAT, link-local, multicast, reserved and
 * documentation ranges of IPv4; of IPv6 everything outside global unicast (2000::/3) plus the
 * special blocks inside it; IPv6 forms that embed an IPv4 address (mapped, compatible, translated,
 * NAT64, 6to4) are judged by the embedded address.
 */

/** [network, prefix length] pairs of refused IPv4 ranges. */
const REFUSED_V4: readonly (readonly [string, number])[] = [
  ['0.0.0.0', 8], // "this network", includes 0.0.0.0
  ['10.0.0.0', 8],
  ['100.64.0.0', 10], // carrier-grade NAT
  ['127.0.0.0', 8],
  ['169.254.0.0', 16], // link-local, cloud metadata
  ['172.16.0.0', 12],
  ['192.0.0.0', 24], // IETF protocol assignments
  ['192.0.2.0', 24], // TEST-NET-1
  ['192.88.99.0', 24], // deprecated 6to4 relay anycast
  ['192.168.0.0', 16],
  ['198.18.0.0', 15], // benchmarking
  ['198.51.100.0', 24], // TEST-NET-2
  ['203.0.113.0', 24], // TEST-NET-3
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, includes 255.255.255.255
];

const REFUSED_V4_MASKS = REFUSED_V4.map(([network, bits]) => {
  const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
  return { network: (parseIpv4(network)! & mask) >>> 0, mask };
});

/**
 * An IPv4 address in any form `inet_aton` and the WHATWG URL parser accept: one to four parts
 * separated by dots, each decimal, `0x` hex or `0`-prefixed octal, the last part filling the
 * remaining bytes (`127.1`, `2130706433`, `0x7f.0.0.1`, `0177.0.0.1`), with an optional trailing
 * dot. Returns the address as an unsigned 32-bit number, or undefined when it is not one.
 */
export function parseIpv4(text: string): number | undefined {
  const trimmed = text.endsWith('.') ? text.slice(0, -1) : text;
  if (trimmed === '') return undefined;
  const parts = trimmed.split('.');
  if (parts.length > 4) return undefined;
  const values: number[] = [];
  for (const part of parts) {
    const value = parseIpv4Part(part);
    if (value === undefined) return undefined;
    values.push(value);
  }
  const last = values.pop()!;
  if (values.some((v) => v > 255)) return undefined;
  if (last >= 2 ** (8 * (4 - values.length))) return undefined;
  let address = 0;
  for (const [i, v] of values.entries()) address += v * 2 ** (8 * (3 - i));
  return address + last;
}

function parseIpv4Part(part: string): number | undefined {
  let digits = part;
  let radix = 10;
  if (/^0x/i.test(part)) {
    digits = part.slice(2);
    radix = 16;
    if (digits === '') return 0; // WHATWG reads a bare "0x" as zero
  } else if (part.length > 1 && part.startsWith('0')) {
    digits = part.slice(1);
    radix = 8;
  }
  const pattern = radix === 16 ? /^[0-9a-f]+$/i : radix === 8 ? /^[0-7]+$/ : /^[0-9]+$/;
  if (!pattern.test(digits)) return undefined;
  const value = Number.parseInt(digits, radix);
  return value > 0xffffffff ? undefined : value;
}

/**
 * An IPv6 address (without brackets; a `%zone` suffix is ignored) as eight 16-bit groups, with
 * `::` compression and a dotted IPv4 tail accepted. Undefined when it is not one.
 */
export function parseIpv6(text: string): number[] | undefined {
  const bare = text.replace(/%.*$/, '').toLowerCase();
  if (!/^[0-9a-f:.]+$/.test(bare) || !bare.includes(':')) return undefined;
  const halves = bare.split('::');
  if (halves.length > 2) return undefined;
  const read = (half: string): number[] | undefined => {
    if (half === '') return [];
    const groups: number[] = [];
    const pieces = half.split(':');
    for (const [i, piece] of pieces.entries()) {
      if (i === pieces.length - 1 && piece.includes('.')) {
        if (!/^\d{1,3}(\.\d{1,3}){3}$/.test(piece)) return undefined;
        const v4 = parseIpv4(piece);
        if (v4 === undefined || piece.split('.').some((p) => p.length > 1 && p.startsWith('0')))
          return undefined;
        groups.push(v4 >>> 16, v4 & 0xffff);
      } else {
        if (!/^[0-9a-f]{1,4}$/.test(piece)) return undefined;
        groups.push(Number.parseInt(piece, 16));
      }
    }
    return groups;
  };
  const head = read(halves[0]!);
  const tail = halves.length === 2 ? read(halves[1]!) : [];
  if (head === undefined || tail === undefined) return undefined;
  if (halves.length === 1) return head.length === 8 ? head : undefined;
  const missing = 8 - head.length - tail.length;
  if (missing < 1) return undefined;
  return [...head, ...new Array<number>(missing).fill(0), ...tail];
}

export function isRefusedIpv4(address: number): boolean {
  return REFUSED_V4_MASKS.some(({ network, mask }) => (address & mask) >>> 0 === network);
}

function v4At(groups: readonly number[], index: number): number {
  return groups[index]! * 0x10000 + groups[index + 1]!;
}

function startsWith(groups: readonly number[], prefix: readonly number[]): boolean {
  return prefix.every((g, i) => groups[i] === g);
}

/** True when an IPv6 address (as eight groups) must not be reached. */
export function isRefusedIpv6(groups: readonly number[]): boolean {
  const [g0, g1, , , g4, g5] = groups as [number, number, number, number, number, number];
  const zeros = (count: number) => groups.slice(0, count).every((g) => g === 0);
  // ::/96 compatible (includes :: and ::1, whose embedded 0.0.0.x is refused), ::ffff:0:0/96
  // mapped, ::ffff:0:0:0/96 translated: judged by the last 32 bits.
  if (zeros(6)) return isRefusedIpv4(v4At(groups, 6));
  if (zeros(5) && g5 === 0xffff) return isRefusedIpv4(v4At(groups, 6));
  if (zeros(4) && g4 === 0xffff && g5 === 0) return isRefusedIpv4(v4At(groups, 6));
  // 64:ff9b::/96 well-known NAT64 prefix: judged by the embedded address.
  if (startsWith(groups, [0x64, 0xff9b, 0, 0, 0, 0])) return isRefusedIpv4(v4At(groups, 6));
  // 2002::/16 6to4: the embedded address is in bits 16 to 47.
  if (g0 === 0x2002) return isRefusedIpv4(v4At(groups, 1));
  // Everything outside global unicast 2000::/3 (::1, fc00::/7, fe80::/10, fec0::/10, ff00::/8,
  // 64:ff9b:1::/48 local NAT64, 100::/64 discard, …).
  if ((g0 & 0xe000) !== 0x2000) return true;
  if (g0 === 0x2001 && g1 < 0x0200) return true; // 2001::/23 IETF protocol assignments, Teredo
  if (g0 === 0x2001 && g1 === 0x0db8) return true; // 2001:db8::/32 documentation
  if (g0 === 0x3fff && (g1 & 0xf000) === 0) return true; // 3fff::/20 documentation
  return false;
}

/**
 * True for an IP address (IPv4 in any numeric form, IPv6 with or without brackets) that must not
 * be reached. Text that is not an address counts as refused: only addresses are judged here.
 */
export function isPrivateAddress(address: string): boolean {
  const bare = address.replace(/^\[|\]$/g, '');
  const v4 = parseIpv4(bare);
  if (v4 !== undefined) return isRefusedIpv4(v4);
  const v6 = parseIpv6(bare);
  if (v6 !== undefined) return isRefusedIpv6(v6);
  return true;
}

/** How a host reads before any lookup: an address (judged), a local name, or a name to resolve. */
export type HostKind = 'refused' | 'public_address' | 'name';

/**
 * Judges a URL's hostname without DNS: numeric forms are normalised first (decimal, hex, octal,
 * short IPv4; bracketed IPv6), `localhost` and `*.localhost` are refused by name.
 */
export function classifyHost(hostname: string): HostKind {
  const host = hostname
    .replace(/^\[|\]$/g, '')
    .toLowerCase()
    .replace(/\.$/, '');
  if (host === '') return 'refused';
  if (host === 'localhost' || host.endsWith('.localhost')) return 'refused';
  const v4 = parseIpv4(host);
  if (v4 !== undefined) return isRefusedIpv4(v4) ? 'refused' : 'public_address';
  if (host.includes(':')) {
    const v6 = parseIpv6(host);
    return v6 === undefined || isRefusedIpv6(v6) ? 'refused' : 'public_address';
  }
  return 'name';
}

/** A host that is local by name or literal address, checked before any DNS lookup. */
export function isPrivateHostLiteral(hostname: string): boolean {
  return classifyHost(hostname) === 'refused';
}

/**
 * The URL an outbound request goes to: `webcal:`/`webcals:` read as `https:` before anything
 * else, then re-parsed so the WHATWG parser normalises numeric hosts. Undefined unless the result
 * is an absolute http(s) URL.
 */
export function outboundUrl(text: string): URL | undefined {
  let url: URL;
  try {
    url = new URL(text.trim());
    if (url.protocol === 'webcal:' || url.protocol === 'webcals:') {
      url = new URL(`https:${url.href.slice(url.protocol.length)}`);
    }
  } catch {
    return undefined;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
  return url;
}
