/**
 * Infrastructure an actor shows the provider: IP addresses (from published cloud ranges or from
 * non-hosting public space), HTTP clients (User-Agent in the official SDKs' own formats, with a
 * JA4 TLS fingerprint of the client's TLS stack), opaque identifiers and names. Genuine actors and
 * attackers draw from the same tables in the same way: nothing here marks a record as an attack.
 */
import { type CloudRange, loadCloudRanges } from './data.js';
import type { Rng } from './rng.js';

// ---- IP addresses ------------------------------------------------------------------------

/** Cloud providers whose ranges serve as server egress (iCloud Private Relay and ProtonVPN are
 * consumer privacy egress, kept apart). */
export const CLOUD_PROVIDERS = [
  'amazon',
  'google',
  'microsoft',
  'oracle',
  'digitalocean',
  'linode',
  'vultr',
] as const;
export type CloudProvider = (typeof CLOUD_PROVIDERS)[number] | 'apple-proxy' | 'protonvpn' | 'cloudflare';

/** Reserved, private and special-purpose IPv4 blocks (IANA special-purpose registry, RFC 6890),
 * as [first address, prefix length]. Residential addresses are never drawn from these. */
const RESERVED: readonly (readonly [string, number])[] = [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.88.99.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
];

function ipToInt(s: string): number {
  const p = s.split('.');
  return ((Number(p[0]) << 24) | (Number(p[1]) << 16) | (Number(p[2]) << 8) | Number(p[3])) >>> 0;
}

export function intToIp(n: number): string {
  return `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
}

const reservedIntervals = RESERVED.map(([a, bits]) => {
  const start = ipToInt(a);
  return [start, start + 2 ** (32 - bits)] as const;
});

export class IpSpace {
  private readonly ranges: CloudRange[];
  private readonly byProvider = new Map<string, CloudRange[]>();

  constructor() {
    this.ranges = loadCloudRanges();
    for (const r of this.ranges) {
      const list = this.byProvider.get(r.provider);
      if (list) list.push(r);
      else this.byProvider.set(r.provider, [r]);
    }
  }

  /** True when the address lies in a published cloud/proxy range. */
  isCloud(ip: number): boolean {
    // Ranges are sorted by start; a few overlap, so check the nearest 8 below.
    let lo = 0;
    let hi = this.ranges.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if ((this.ranges[mid] as CloudRange).start <= ip) lo = mid + 1;
      else hi = mid - 1;
    }
    for (let i = hi; i >= 0 && i > hi - 8; i--) {
      const r = this.ranges[i] as CloudRange;
      if (ip >= r.start && ip < r.start + r.size) return true;
    }
    return false;
  }

  /** An address inside one of `provider`'s published ranges (host part avoids .0 and .255). */
  cloud(rng: Rng, provider: CloudProvider): string {
    const list = this.byProvider.get(provider);
    if (!list || list.length === 0) throw new Error(`no published ranges for ${provider}`);
    const r = rng.pick(list);
    for (;;) {
      const ip = (r.start + rng.int(r.size)) >>> 0;
      const last = ip & 255;
      if (r.size < 4 || (last !== 0 && last !== 255)) return intToIp(ip);
    }
  }

  /** A public IPv4 address outside every reserved block and every published cloud/proxy range:
   * the stand-in for consumer broadband, mobile and campus networks. */
  residential(rng: Rng): string {
    for (;;) {
      const ip = rng.u32();
      const last = ip & 255;
      if (last === 0 || last === 255) continue;
      let reserved = false;
      for (const [a, b] of reservedIntervals) {
        if (ip >= a && ip < b) {
          reserved = true;
          break;
        }
      }
      if (reserved || this.isCloud(ip)) continue;
      return intToIp(ip);
    }
  }

  /** `n` residential addresses inside one /24 (a campus or ISP CGNAT block). */
  residentialBlock(rng: Rng, n: number): string[] {
    const base = ipToInt(this.residential(rng)) & 0xffffff00;
    const out: string[] = [];
    const used = new Set<number>();
    while (out.length < Math.min(n, 200)) {
      const host = 2 + rng.int(252);
      if (used.has(host)) continue;
      used.add(host);
      out.push(intToIp((base | host) >>> 0));
    }
    return out;
  }
}

// ---- clients: user agents and TLS fingerprints -------------------------------------------------

export type Stack = 'python' | 'node' | 'curl' | 'go' | 'java';

export interface Client {
  userAgent: string;
  /** JA4 of the TLS stack behind the client library. */
  ja4: string;
  stack: Stack;
  /** API shape the client speaks. */
  api: 'anthropic' | 'openai' | 'any';
}

/**
 * JA4 fingerprints of the TLS stacks behind each kind of client (FoxIO JA4: protocol, TLS
 * version, SNI, cipher count, extension count, ALPN, then truncated SHA-256 of the sorted cipher
 * and extension lists). The strings follow the JA4 format; the hash parts are representative, not
 * captured from a real handshake (stated assumption): what matters is that one library on one
 * runtime shows one value, shared by everyone who uses it.
 */
const JA4: Record<string, string> = {
  'python-openssl3': 't13d1812h2_85036bcba153_b0da82dd1658',
  'python-openssl3-h1': 't13d1812h1_85036bcba153_b0da82dd1658',
  'python-openssl11': 't13d4907h1_0d8feac7bc37_7395dae3b2f3',
  node20: 't13d5911h2_a33745022dd6_1f22a2ca17c4',
  node22: 't13d5912h2_a33745022dd6_dbd39dd1d406',
  curl: 't13d3112h2_e8f1e7e78f70_6bebaf5329ac',
  'curl-old': 't13d3111h1_e8f1e7e78f70_ce5650b735ce',
  go: 't13d1311h2_f57a46bbacb6_e7c285222651',
  java: 't13d2713h2_88ec6c1a7ab1_5ba0dd49f1d9',
};

function c(userAgent: string, ja4: string, stack: Stack, api: Client['api']): Client {
  return { userAgent, ja4: JA4[ja4] as string, stack, api };
}

/** User-Agent strings as the libraries send them: the Stainless-generated official SDKs send
 * `<ClientClass>/Python <version>` and `<ClientClass>/JS <version>`. */
export const CLIENTS = {
  anthropicPy: [
    c('Anthropic/Python 0.39.0', 'python-openssl3', 'python', 'anthropic'),
    c('Anthropic/Python 0.40.0', 'python-openssl3', 'python', 'anthropic'),
    c('Anthropic/Python 0.42.0', 'python-openssl3', 'python', 'anthropic'),
    c('Anthropic/Python 0.45.2', 'python-openssl3', 'python', 'anthropic'),
    c('AsyncAnthropic/Python 0.40.0', 'python-openssl3', 'python', 'anthropic'),
    c('AsyncAnthropic/Python 0.45.2', 'python-openssl3', 'python', 'anthropic'),
  ],
  openaiPy: [
    c('OpenAI/Python 1.54.3', 'python-openssl3', 'python', 'openai'),
    c('OpenAI/Python 1.55.3', 'python-openssl3', 'python', 'openai'),
    c('OpenAI/Python 1.58.1', 'python-openssl3', 'python', 'openai'),
    c('AsyncOpenAI/Python 1.54.3', 'python-openssl3', 'python', 'openai'),
    c('AsyncOpenAI/Python 1.59.7', 'python-openssl3', 'python', 'openai'),
    c('OpenAI/Python 1.35.13', 'python-openssl11', 'python', 'openai'),
  ],
  anthropicJs: [
    c('Anthropic/JS 0.32.1', 'node20', 'node', 'anthropic'),
    c('Anthropic/JS 0.33.1', 'node22', 'node', 'anthropic'),
    c('Anthropic/JS 0.36.3', 'node22', 'node', 'anthropic'),
  ],
  openaiJs: [
    c('OpenAI/JS 4.73.0', 'node20', 'node', 'openai'),
    c('OpenAI/JS 4.77.0', 'node22', 'node', 'openai'),
    c('OpenAI/JS 4.78.1', 'node20', 'node', 'openai'),
  ],
  raw: [
    c('curl/8.5.0', 'curl', 'curl', 'any'),
    c('curl/7.81.0', 'curl-old', 'curl', 'any'),
    c('python-requests/2.31.0', 'python-openssl3-h1', 'python', 'any'),
    c('python-requests/2.32.3', 'python-openssl3-h1', 'python', 'any'),
    c('Python/3.11 aiohttp/3.10.10', 'python-openssl3-h1', 'python', 'any'),
    c('axios/1.7.9', 'node20', 'node', 'any'),
    c('node', 'node22', 'node', 'any'),
    c('Go-http-client/2.0', 'go', 'go', 'any'),
    c('okhttp/4.12.0', 'java', 'java', 'any'),
  ],
  router: [
    c('litellm/1.55.2', 'python-openssl3', 'python', 'any'),
    c('litellm/1.52.0', 'python-openssl3', 'python', 'any'),
    c('OpenAI/Python 1.54.3', 'python-openssl3', 'python', 'openai'),
    c('OpenAI/JS 4.73.0', 'node20', 'node', 'openai'),
  ],
} as const;

export type ClientFamily = keyof typeof CLIENTS;

/** Draws a client from families weighted by `weights` (family → weight). */
export function pickClient(rng: Rng, weights: Partial<Record<ClientFamily, number>>): Client {
  const fams = Object.keys(weights) as ClientFamily[];
  const fam = rng.weighted(
    fams,
    fams.map((f) => weights[f] ?? 0),
  );
  return rng.pick(CLIENTS[fam]);
}

/** The usual mix of a developer population (assumption: official SDKs dominate, Python first). */
export const DEV_CLIENT_MIX: Partial<Record<ClientFamily, number>> = {
  anthropicPy: 0.32,
  openaiPy: 0.22,
  anthropicJs: 0.16,
  openaiJs: 0.12,
  raw: 0.13,
  router: 0.05,
};

// ---- identifiers --------------------------------------------------------------------------

const ID_ALPHABET = '0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';

/** Opaque ids, drawn from one stream for every account whatever its archetype. */
export class IdFactory {
  constructor(
    private readonly rng: Rng,
    /** Shared by every factory of a run, so ids stay unique across archetypes. */
    private readonly used: Set<string> = new Set(),
  ) {}
  private unique(prefix: string, n: number): string {
    for (;;) {
      const id = prefix + this.rng.chars(n, ID_ALPHABET);
      if (!this.used.has(id)) {
        this.used.add(id);
        return id;
      }
    }
  }
  account(): string {
    return this.unique('org_', 20);
  }
  apiKey(): string {
    return this.unique('key_', 20);
  }
  payment(): string {
    return this.unique('pm_', 24);
  }
  endUser(): string {
    return this.unique('u_', 12);
  }
}

// ---- names, domains, countries -------------------------------------------------------------

const SYL = [
  'ka',
  'lo',
  'ra',
  'vi',
  'no',
  'ta',
  'me',
  'zu',
  'ri',
  'sa',
  'del',
  'mor',
  'quin',
  'bel',
  'tor',
  'an',
  'ex',
  'ly',
  'ven',
  'cor',
  'pix',
  'nu',
  'hal',
  'sy',
  'ora',
  'fen',
  'gra',
  'lum',
  'ster',
  'wa',
];
const ORG_SUFFIX = [
  'Labs',
  'AI',
  'Inc',
  'Technologies',
  'Systems',
  'Analytics',
  'Software',
  'Data',
  'GmbH',
  'Ltd',
  'Studio',
  'Health',
  'Cloud',
  'Robotics',
  'Solutions',
];
const TLD = ['com', 'io', 'ai', 'dev', 'co', 'tech', 'net'];
export const FREEMAIL = [
  'gmail.com',
  'outlook.com',
  'yahoo.com',
  'proton.me',
  'icloud.com',
  'hotmail.com',
  'qq.com',
  '163.com',
  'gmx.de',
  'naver.com',
];
const UNI_WORDS = [
  'state',
  'tech',
  'poly',
  'north',
  'south',
  'central',
  'metro',
  'coastal',
  'valley',
  'capital',
];

export function brand(rng: Rng): string {
  const n = rng.range(2, 3);
  let s = '';
  for (let i = 0; i < n; i++) s += rng.pick(SYL);
  return s;
}

export function orgName(rng: Rng, b = brand(rng)): string {
  return `${b[0]?.toUpperCase()}${b.slice(1)} ${rng.pick(ORG_SUFFIX)}`;
}

export function companyDomain(rng: Rng, b = brand(rng)): string {
  return `${b}.${rng.pick(TLD)}`;
}

export function universityDomain(rng: Rng, country: string): string {
  const b = brand(rng);
  const w = rng.pick(UNI_WORDS);
  switch (country) {
    case 'US':
      return `${b}${rng.chance(0.5) ? w : ''}.edu`;
    case 'GB':
      return `${b}.ac.uk`;
    case 'JP':
      return `${b}-u.ac.jp`;
    case 'IN':
      return `${b}.ac.in`;
    case 'KR':
      return `${b}.ac.kr`;
    case 'AU':
      return `${b}.edu.au`;
    case 'SG':
      return `${b}.edu.sg`;
    default:
      return `uni-${b}.${country.toLowerCase()}`;
  }
}

/** Where accounts are billed, with the UTC offset their people live by in February (no DST in the
 * northern hemisphere; Australia on daylight time). */
export interface Place {
  country: string;
  utcOffset: number;
}

export const PLACES: readonly Place[] = [
  { country: 'US', utcOffset: -8 },
  { country: 'US', utcOffset: -5 },
  { country: 'US', utcOffset: -6 },
  { country: 'CA', utcOffset: -5 },
  { country: 'BR', utcOffset: -3 },
  { country: 'GB', utcOffset: 0 },
  { country: 'DE', utcOffset: 1 },
  { country: 'FR', utcOffset: 1 },
  { country: 'NL', utcOffset: 1 },
  { country: 'PL', utcOffset: 1 },
  { country: 'IN', utcOffset: 5.5 },
  { country: 'SG', utcOffset: 8 },
  { country: 'TW', utcOffset: 8 },
  { country: 'JP', utcOffset: 9 },
  { country: 'KR', utcOffset: 9 },
  { country: 'AU', utcOffset: 11 },
  { country: 'IL', utcOffset: 2 },
  { country: 'AE', utcOffset: 4 },
];

/** Weight of each place in a developer population (assumption: US-heavy, roughly the shares
 * public API usage reports give to the US, Europe and Asia). */
export const PLACE_WEIGHTS = [14, 10, 6, 4, 3, 7, 6, 4, 3, 2, 8, 4, 3, 4, 4, 3, 2, 1];

export function pickPlace(rng: Rng): Place {
  return rng.weighted(PLACES, PLACE_WEIGHTS);
}
