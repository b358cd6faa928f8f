import { isIP } from "node:net";
import { ipv6Groups } from "../../../../tooling/net-guard.mjs";

/** Names Express (proxy-addr) accepts for TRUST_PROXY, each a private range. */
const PRIVATE_NAMES = new Set(["loopback", "linklocal", "uniquelocal"]);

/** Widest public ranges a trusted proxy list may hold: broader than any provider publishes for its proxies. */
export const WIDEST_PUBLIC_IPV4_PREFIX = 8;
export const WIDEST_PUBLIC_IPV6_PREFIX = 24;

interface Range {
  family: 4 | 6;
  /** The first address, as a number (IPv4: 32 bits, IPv6: 128 bits). */
  start: bigint;
  prefix: number;
}

function ipv4Number(address: string): bigint {
  return address.split(".").reduce((n, part) => (n << 8n) | BigInt(Number(part)), 0n);
}

function netmaskPrefix(mask: string): number | undefined {
  if (isIP(mask) !== 4) return undefined;
  const bits = ipv4Number(mask).toString(2).padStart(32, "0");
  return /^1*0*$/.test(bits) ? (bits.indexOf("0") === -1 ? 32 : bits.indexOf("0")) : undefined;
}

/** One TRUST_PROXY entry as a range (`a.b.c.d`, `a.b.c.d/n`, `a.b.c.d/255.0.0.0`, `x::y`, `x::/n`); undefined if invalid. */
export function parseTrustedRange(entry: string): Range | undefined {
  const [address = "", suffix, extra] = entry.split("/");
  if (extra !== undefined) return undefined;
  const family = isIP(address);
  if (family === 0) return undefined;
  const max = family === 4 ? 32 : 128;
  let prefix = max;
  if (suffix !== undefined) {
    const parsed = /^\d{1,3}$/.test(suffix) ? Number(suffix) : family === 4 ? netmaskPrefix(suffix) : undefined;
    if (parsed === undefined || parsed > max) return undefined;
    prefix = parsed;
  }
  if (family === 4) {
    const start = ipv4Number(address) & ~((1n << BigInt(32 - prefix)) - 1n) & 0xffffffffn;
    return { family: 4, start, prefix };
  }
  const groups = ipv6Groups(address)!;
  const value = groups.reduce((n, g) => (n << 16n) | BigInt(g), 0n);
  const start = value & ~((1n << BigInt(128 - prefix)) - 1n) & ((1n << 128n) - 1n);
  return { family: 6, start, prefix };
}

/** IPv6 blocks that embed the whole IPv4 internet: IPv4-mapped (::ffff:0:0/96) and NAT64 (64:ff9b::/96). */
const IPV4_EMBEDDING_BLOCKS = [0xffffn << 32n, 0x64ff9bn << 96n];

const contains = (outer: { start: bigint; prefix: number }, inner: { start: bigint; prefix: number }, bits: number) =>
  outer.prefix <= inner.prefix &&
  inner.start >> BigInt(bits - outer.prefix) === outer.start >> BigInt(bits - outer.prefix);

/**
 * Whether trusting this range would trust (a wide part of) the public internet: then any client could write
 * its own X-Forwarded-For and choose the address that every per-address limit counts. IPv4 ranges wider than
 * /8; IPv6 ranges wider than /24 that reach into global unicast (2000::/3); IPv6 ranges that cover the IPv4
 * internet through an embedding block (IPv4-mapped, NAT64), judged as the IPv4 range they embed.
 */
export function coversPublicInternet(range: Range): boolean {
  if (range.family === 4) return range.prefix < WIDEST_PUBLIC_IPV4_PREFIX;
  for (const block of IPV4_EMBEDDING_BLOCKS) {
    const embedding = { start: block, prefix: 96 };
    if (contains(range, embedding, 128)) return true; // the whole IPv4 internet
    if (contains(embedding, range, 128)) return range.prefix - 96 < WIDEST_PUBLIC_IPV4_PREFIX;
  }
  const globalUnicast = { start: 0x2n << 124n, prefix: 3 };
  const overlapsGlobal = contains(range, globalUnicast, 128) || contains(globalUnicast, range, 128);
  return overlapsGlobal && range.prefix < WIDEST_PUBLIC_IPV6_PREFIX;
}

/**
 * Problems with a TRUST_PROXY list, as messages for the start-up error: entries that are not an address, a
 * subnet or one of proxy-addr's names (any environment), and, in production, ranges that cover the public
 * internet (see coversPublicInternet).
 */
export function trustProxyProblems(entries: string[], production: boolean): string[] {
  const problems: string[] = [];
  for (const entry of entries) {
    if (PRIVATE_NAMES.has(entry)) continue;
    const range = parseTrustedRange(entry);
    if (!range) {
      problems.push(
        `TRUST_PROXY: "${entry}" is not an IP address, a subnet (10.0.0.0/8, fd00::/8) or one of loopback, linklocal, uniquelocal`,
      );
    } else if (production && coversPublicInternet(range)) {
      problems.push(
        `TRUST_PROXY: "${entry}" covers the public internet, so any client could choose the address per-address ` +
          `limits count (X-Forwarded-For); in production list your proxies' addresses or subnets (at most /${WIDEST_PUBLIC_IPV4_PREFIX} ` +
          `for public IPv4, /${WIDEST_PUBLIC_IPV6_PREFIX} for public IPv6) or give a hop count`,
      );
    }
  }
  return problems;
}
