import { isIPv4, isIPv6 } from 'node:net';

/**
 * The address ranges an image link may not reach unless its host is allowed:
 * the service's own machine, its private network and the cloud's metadata
 * service are what a server-side fetch would expose (SSRF). Ranges are
 * checked in order, so the narrower name comes first.
 */
const IPV4_RANGES: readonly (readonly [string, number, string])[] = [
  ['169.254.169.254', 32, 'cloud metadata'],
  // Azure's wireserver answers on a public address.
  ['168.63.129.16', 32, 'cloud metadata'],
  ['0.0.0.0', 8, 'this network'],
  ['10.0.0.0', 8, 'private'],
  ['100.64.0.0', 10, 'shared address space'],
  ['127.0.0.0', 8, 'loopback'],
  ['169.254.0.0', 16, 'link-local'],
  ['172.16.0.0', 12, 'private'],
  ['192.0.0.0', 24, 'IETF protocol assignments'],
  ['192.168.0.0', 16, 'private'],
  ['198.18.0.0', 15, 'benchmarking'],
  ['224.0.0.0', 4, 'multicast'],
  // 240/4 up to and including 255.255.255.255, the broadcast address.
  ['240.0.0.0', 4, 'reserved'],
];

const IPV6_RANGES: readonly (readonly [string, number, string])[] = [
  ['::', 128, 'unspecified'],
  ['::1', 128, 'loopback'],
  // IPv4-compatible addresses (deprecated) carry an IPv4 address some stacks still route.
  ['::', 96, 'IPv4-compatible'],
  // NAT64 reaches any IPv4 address, private ones included, through a translator.
  ['64:ff9b::', 96, 'NAT64'],
  ['fc00::', 7, 'unique-local'],
  ['fe80::', 10, 'link-local'],
  ['fec0::', 10, 'site-local'],
  ['ff00::', 8, 'multicast'],
];

/** Host names that reach a cloud's metadata service without naming its address. */
const METADATA_HOSTS = new Set(['metadata', 'metadata.google.internal', 'metadata.goog', 'instance-data', 'instance-data.ec2.internal']);

/** The class of a forbidden address (`loopback`, `private`, ...), or undefined for an address a link may reach. */
export function forbiddenAddressClass(address: string): string | undefined {
  const bare = address.replace(/^\[|\]$/g, '').replace(/%.*$/, '');
  if (isIPv4(bare)) return classOf(ipv4Bytes(bare), IPV4_RANGES, ipv4Bytes);
  if (!isIPv6(bare)) return 'not an IP address';
  const bytes = ipv6Bytes(bare);
  // ::ffff:a.b.c.d is an IPv4 address however it is written.
  if (bytes.slice(0, 10).every((b) => b === 0) && bytes[10] === 0xff && bytes[11] === 0xff) {
    return classOf(bytes.slice(12), IPV4_RANGES, ipv4Bytes);
  }
  return classOf(bytes, IPV6_RANGES, ipv6Bytes);
}

/** Whether a host name is one of the clouds' names for their metadata service. */
export function isMetadataHost(hostname: string): boolean {
  return METADATA_HOSTS.has(hostname.toLowerCase().replace(/\.$/, ''));
}

function classOf(bytes: Uint8Array, ranges: typeof IPV4_RANGES, parse: (address: string) => Uint8Array): string | undefined {
  return ranges.find(([base, bits]) => inPrefix(bytes, parse(base), bits))?.[2];
}

function inPrefix(bytes: Uint8Array, base: Uint8Array, bits: number): boolean {
  for (let i = 0; i < bits; i++) {
    const mask = 0x80 >> (i % 8);
    if ((bytes[i >> 3]! & mask) !== (base[i >> 3]! & mask)) return false;
  }
  return true;
}

function ipv4Bytes(address: string): Uint8Array {
  return Uint8Array.from(address.split('.'), Number);
}

/** The 16 bytes of a valid IPv6 address, `::` and a trailing dotted IPv4 part expanded. */
function ipv6Bytes(address: string): Uint8Array {
  let text = address;
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted) {
    const [a, b, c, d] = ipv4Bytes(dotted[1]!);
    text = `${text.slice(0, dotted.index)}${((a! << 8) | b!).toString(16)}:${((c! << 8) | d!).toString(16)}`;
  }
  const [head, tail] = text.split('::') as [string, string | undefined];
  const groups = (part: string | undefined) => (part ? part.split(':') : []);
  const left = groups(head);
  const right = groups(tail);
  const all = tail === undefined ? left : [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right];
  const bytes = new Uint8Array(16);
  all.forEach((group, i) => {
    const value = parseInt(group, 16);
    bytes[2 * i] = value >> 8;
    bytes[2 * i + 1] = value & 0xff;
  });
  return bytes;
}
