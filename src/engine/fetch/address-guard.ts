import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from 'node:dns';
import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';

/**
 * Addresses a fetch of someone else's URL must never reach: the machine itself, private and
 * carrier-grade NAT networks, link-local (cloud metadata at 169.254.169.254 lives there),
 * multicast and reserved ranges. Only globally routable unicast is allowed.
 */
export function isBlockedAddress(address: string): boolean {
  if (!ipaddr.isValid(address)) return true;
  let parsed = ipaddr.parse(address);
  if (parsed.kind() === 'ipv6' && (parsed as ipaddr.IPv6).isIPv4MappedAddress()) {
    parsed = (parsed as ipaddr.IPv6).toIPv4Address();
  }
  return parsed.range() !== 'unicast';
}

/** The kind of a blocked address in words, for messages that say why it is refused. */
export function addressKind(address: string): string {
  if (!ipaddr.isValid(address)) return 'not an IP address';
  let parsed = ipaddr.parse(address);
  if (parsed.kind() === 'ipv6' && (parsed as ipaddr.IPv6).isIPv4MappedAddress()) parsed = (parsed as ipaddr.IPv6).toIPv4Address();
  const range = parsed.range();
  const words: Record<string, string> = {
    loopback: 'a loopback address (this machine)',
    private: 'a private-network address',
    uniqueLocal: 'a private-network address',
    linkLocal: 'a link-local address (where cloud metadata services live)',
    carrierGradeNat: 'a carrier-grade NAT address',
    unspecified: 'the unspecified address',
    multicast: 'a multicast address',
    broadcast: 'the broadcast address',
  };
  return words[range] ?? `a non-public address (${range})`;
}

export class BlockedAddressError extends Error {
  readonly code = 'blocked_address';
  constructor(
    readonly host: string,
    readonly address: string,
  ) {
    super(`${host} resolves to ${address}, a private, loopback, link-local or otherwise non-public address`);
    this.name = 'BlockedAddressError';
  }
}

export type HostCheck =
  | { verdict: 'public'; addresses: string[] }
  | { verdict: 'blocked'; address: string }
  /** The name has no address now; whether that lasts is for the fetch to find out. */
  | { verdict: 'unresolved' };

/**
 * Checks a URL host (name or IP literal, IPv6 with or without brackets) against the same policy
 * the guarded lookup applies to every connection: one non-public address blocks the name.
 */
export async function checkHost(
  host: string,
  resolver: Resolver = systemResolver,
  isBlocked: (address: string) => boolean = isBlockedAddress,
): Promise<HostCheck> {
  const bare = host.replace(/^\[|\]$/g, '');
  const addresses = isIP(bare) ? [bare] : (await resolver(bare).catch(() => [])).map((entry) => entry.address);
  if (addresses.length === 0) return { verdict: 'unresolved' };
  const blocked = addresses.find((address) => isBlocked(address));
  return blocked ? { verdict: 'blocked', address: blocked } : { verdict: 'public', addresses };
}

type LookupCallback = (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;
export type Resolver = (hostname: string) => Promise<LookupAddress[]>;

export const systemResolver: Resolver = (hostname) =>
  new Promise((resolve, reject) =>
    dnsLookup(hostname, { all: true, verbatim: true }, (error, addresses) => (error ? reject(error) : resolve(addresses))),
  );

/**
 * A `lookup` for sockets that refuses blocked addresses. The socket connects to the very
 * address checked here, so a second DNS answer (rebinding) can never slip past the check.
 */
export function guardedLookup(resolver: Resolver = systemResolver, isBlocked: (address: string) => boolean = isBlockedAddress) {
  return (hostname: string, options: LookupOptions, callback: LookupCallback): void => {
    resolver(hostname)
      .then((addresses) => {
        const blocked = addresses.find((entry) => isBlocked(entry.address));
        // One bad answer taints the name: a host may not mix public and internal addresses.
        if (blocked || addresses.length === 0) {
          const error = new BlockedAddressError(hostname, blocked?.address ?? 'nothing') as unknown as NodeJS.ErrnoException;
          callback(error, options.all ? [] : '', undefined);
          return;
        }
        const ofFamily =
          options.family === 4 || options.family === 6 ? addresses.filter((entry) => entry.family === options.family) : addresses;
        // A host with no address of the asked family is still reachable on its other one.
        const wanted = ofFamily.length ? ofFamily : addresses;
        if (options.all) callback(null, wanted);
        else callback(null, wanted[0]!.address, wanted[0]!.family);
      })
      .catch((error: NodeJS.ErrnoException) => callback(error, options.all ? [] : ''));
  };
}
