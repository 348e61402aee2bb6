/**
 * Differential test of the core/v1 correlator against client-go itself: thousands of generated steps go
 * through our EventCorrelator and through client-go's (test/cluster/go/correlator-oracle, built by
 * test/cluster/build.sh), both on a fake clock, and every decision must agree: skip or not, the event to
 * send (name, count, message, timestamps…) and the patch. The steps are built to hit client-go's corners:
 * fields whose concatenation collides, the spam filter's token boundaries (float32 rate, truncated waits),
 * aggregation windows crossed by nanoseconds, clocks that step back, tiny caches that evict, and server
 * state fed back through updateState.
 *
 * One thing is kept out on purpose: client-go's aggregator drops an arbitrary message (Go's map order)
 * once a group is full, so reusing an old message in a full group has no single right answer. The
 * generator sends only fresh messages to such groups.
 */
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_AGGREGATE_MAX_EVENTS, EventCorrelator, type CorrelationResult } from '../../src/core/correlator/correlator';
import { epochMsToNs, formatTime } from '../../src/core/correlator/time';
import type { CoreV1EventBody, ObjectReferenceJson } from '../../src/core/correlator/wire';
import type { Clock } from '../../src/core/ports';

interface Config {
  readonly name: string;
  readonly seed: number;
  readonly steps: number;
  /** client-go CorrelatorOptions; 0 or missing takes the default. */
  readonly options: { lruSize?: number; burst?: number; qps?: number; maxEvents?: number; maxIntervalSeconds?: number };
  /** Planned episodes at the spam filter's token boundaries instead of random steps. */
  readonly spamBoundaries?: boolean;
  /** Start of the fake clock; near the epoch, a millisecond double still holds whole nanoseconds. */
  readonly t0?: number;
}

const CONFIGS: Config[] = [
  { name: "client-go's defaults", seed: 0x5eed01, steps: 4000, options: {} },
  { name: 'small caches, fast refill, short aggregation window', seed: 0x5eed02, steps: 4000, options: { lruSize: 6, burst: 3, qps: 0.7, maxEvents: 3, maxIntervalSeconds: 5 } },
  { name: 'spam filter at token boundaries', seed: 0x5eed03, steps: 2500, options: {}, spamBoundaries: true, t0: Date.UTC(1970, 0, 2) },
];

type Step =
  | { readonly op: 'correlate'; readonly atNs: string; readonly event: CoreV1EventBody }
  | { readonly op: 'updateState'; readonly event: CoreV1EventBody };

interface GoDecision {
  readonly skip: boolean;
  readonly event: Partial<CoreV1EventBody> | null;
  readonly patch: unknown;
}

/** A seeded xorshift32 in [0, 1), so a failure names a seed that reproduces it. */
function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x / 4294967296;
  };
}

class StepClock implements Clock {
  constructor(public t: number) {}
  now(): number {
    return this.t;
  }
}

const T0 = Date.UTC(2026, 2, 9, 8, 0, 0);
/** Episodes of the spam run, see planEpisode. */
const EPISODES = ['µs before a float32 token', 'whole-second boundary', 'ns before a float32 token'] as const;

// Pools whose values run together: kubelet+node-1 = kubeletnode-+1, Back+Off x = BackOff+ x, a+bc = ab+c…
const POOL = {
  component: ['kubelet', 'kubeletnode-', 'ctl', ''],
  host: ['node-1', '1', ''],
  kind: ['Pod', 'Po'],
  namespace: ['a', 'ab', 'da'],
  name: ['bc', 'c', 'web-0'],
  fieldPath: ['', '', 'spec.x', 'spec.'],
  uid: ['', 'y', 'xy', 'u1'],
  apiVersion: ['v1', ''],
  type: ['Normal', 'Warning'],
  reason: ['Back', 'BackOff', 'Failed', 'FailedCreate'],
  reportingComponent: ['', 'x', 'Createx', 'ctl'],
  reportingInstance: ['', 'i1'],
  action: ['', '', 'Pulling'],
  message: ['Off x', ' x', 'x', 'done', 'm0', 'm1', 'm2', 'm3', 'm4', 'm5', 'm6', 'm7', 'm8', 'm9', 'm10', 'm11', 'm12'],
};

/** client-go's aggregation group, written out independently of the code under test. */
function aggregateGroup(e: CoreV1EventBody): string {
  const o = e.involvedObject;
  return [e.source.component, e.source.host, o.kind, o.namespace, o.name, o.uid, o.apiVersion, e.type, e.reason, e.reportingComponent, e.reportingInstance].map((v) => v ?? '').join('');
}

/** The fields as a tuple, to tell a real repeat from a repeat only by concatenation. */
function structuredKey(e: CoreV1EventBody): string {
  const o = e.involvedObject;
  return JSON.stringify([e.source.component, e.source.host, o.kind, o.namespace, o.name, o.fieldPath, o.uid, o.apiVersion, e.type, e.reason, e.message]);
}

/** A plain token bucket in milliseconds; with whole-second times it differs from x/time/rate only by its rate. */
class DoubleRateBucket {
  private tokens: number;
  private last: number | undefined;
  constructor(
    private readonly rate: number,
    private readonly burst: number,
  ) {
    this.tokens = burst;
  }
  level(now: number): number {
    return this.last === undefined ? this.burst : Math.min(this.burst, this.tokens + (Math.max(0, now - this.last) / 1000) * this.rate);
  }
  tryAccept(now: number): boolean {
    const level = this.level(now);
    if (level < 1) return false;
    this.tokens = level - 1;
    this.last = now;
    return true;
  }
}

/**
 * Whether a fresh plain bucket fed at these times decides differently with an exact 1/300 than with the rate
 * rounded to float32. Written apart from the code under test, so the plan does not depend on it; the
 * oracle then says what client-go really decides.
 */
function plainBucketDiffers(times: readonly number[]): boolean {
  const exact = new DoubleRateBucket(1 / 300, 25);
  const float32 = new DoubleRateBucket(Math.fround(1 / 300), 25);
  return times.some((t) => exact.tryAccept(t) !== float32.tryAccept(t));
}

interface Generated {
  readonly steps: Step[];
  readonly ours: (CorrelationResult | undefined)[];
  readonly stats: Record<string, number>;
}

/** Builds the steps while running our correlator on them (updateState steps feed back what it decided). */
function generate(config: Config): Generated {
  const random = rng(config.seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)];
  const clock = new StepClock(config.t0 ?? T0);
  const correlator = new EventCorrelator({ ...config.options, clock, unixNano: () => epochMsToNs(clock.now()) });
  const maxEvents = config.options.maxEvents || DEFAULT_AGGREGATE_MAX_EVENTS;
  const groupMessages = new Map<string, Set<string>>();
  const createdAs = new Map<string, string>();
  const recent: CoreV1EventBody[] = [];
  const steps: Step[] = [];
  const ours: (CorrelationResult | undefined)[] = [];
  const stats: Record<string, number> = { skip: 0, create: 0, patch: 0, aggregated: 0, 'dedup by concatenation only': 0, updateState: 0, 'clock stepped back': 0 };
  if (config.spamBoundaries) for (const kind of EPISODES) stats[`unlike an exact-rate bucket, ${kind}`] = 0;
  let fresh = 0;
  let serial = 0;

  const randomEvent = (): CoreV1EventBody => {
    const ref: ObjectReferenceJson = {
      kind: pick(POOL.kind),
      namespace: pick(POOL.namespace),
      name: pick(POOL.name),
      uid: pick(POOL.uid),
      apiVersion: pick(POOL.apiVersion),
      fieldPath: pick(POOL.fieldPath),
    };
    const action = pick(POOL.action);
    return {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: '', namespace: ref.namespace || 'default' },
      involvedObject: ref,
      reason: pick(POOL.reason),
      message: pick(POOL.message),
      type: pick(POOL.type),
      count: 1,
      firstTimestamp: '',
      lastTimestamp: '',
      source: { component: pick(POOL.component), host: pick(POOL.host) },
      reportingComponent: pick(POOL.reportingComponent),
      reportingInstance: pick(POOL.reportingInstance),
      ...(action ? { action } : {}),
    };
  };

  const advance = (): void => {
    const r = random();
    if (r < 0.45) return;
    if (r < 0.7) clock.t += Math.floor(random() * 2000) + 1;
    else if (r < 0.8) clock.t += Math.floor(random() * 30 + 1) * 1000;
    else if (r < 0.86) clock.t += pick([300_000, 299_999, 300_001, 344_000, 256_000, 600_000, 600_001, 600_000.0005, 5_000, 5_001, 5_000.0005, 1428.571452]);
    else if (r < 0.94) clock.t += Math.floor(random() * 5_000_000) / 1000;
    else if (r < 0.99) {
      clock.t -= Math.floor(random() * 5000) + 1;
      stats['clock stepped back']++;
    } else clock.t += Math.floor(random() * 50 + 10) * 60_000;
  };

  // The spam run: episodes on a new object each (so a fresh bucket), drained at their start, then events at
  // times where a plain bucket with an exact 1/300 rate decides otherwise than client-go:
  // - a few µs before 300 s, where only the float32 rate has the token;
  // - on whole seconds, where the plain bucket's sum rounds just below a token;
  // - a nanosecond before the float32 token is complete, where x/time/rate's wait truncates to 0 ns.
  const spamObject = randomEvent();
  const plan: { at: number; object: string; kind: (typeof EPISODES)[number] }[] = [];
  const exactBuckets = new Map<string, DoubleRateBucket>();
  const planEpisode = (): void => {
    const object = `obj-${exactBuckets.size}`;
    const kind = EPISODES[exactBuckets.size % EPISODES.length];
    exactBuckets.set(object, new DoubleRateBucket(1 / 300, 25));
    const start = clock.t + Math.floor(random() * 3600 + 1) * 1000;
    const drain = Array<number>(Math.floor(random() * 5) + 26).fill(0);
    let offsets: number[];
    if (kind === 'whole-second boundary') {
      const tail = Array<number>(Math.floor(random() * 3) + 1).fill(900_000);
      const times = (a: number, b: number): number[] => [...drain, a * 1000, b * 1000, ...tail];
      offsets = times(Math.floor(random() * 299) + 601, 899);
      for (let i = 0; i < 300; i++) {
        const a = Math.floor(random() * 298) + 601;
        const candidate = times(a, a + 1 + Math.floor(random() * (899 - a)));
        if (plainBucketDiffers(candidate.map((o) => start + o))) {
          offsets = candidate;
          break;
        }
      }
    } else if (kind === 'µs before a float32 token') {
      // 1–7 µs early: float32(1/300) completes the token 7.27 µs before 300 s.
      const early = (Math.floor(random() * 7) + 1) / 1000;
      offsets = [...drain, 300_000 - early, 300_000 - early, 600_000 - early / 2];
    } else {
      // The float32 token is complete at 299999992735.68 ns: refused 1.68 ns before, allowed 0.68 ns before.
      const tokenNs = Math.floor(1e9 / Math.fround(1 / 300));
      offsets = [...drain, (tokenNs - 1) / 1e6, tokenNs / 1e6, (tokenNs + 1) / 1e6];
    }
    plan.push(...offsets.map((o) => ({ at: start + o, object, kind })));
  };
  // A burst: one source keeps reporting on one object, with varying reasons and messages (spam, aggregation).
  let burst: { left: number; like: CoreV1EventBody } | undefined;
  let episodeKind: (typeof EPISODES)[number] = EPISODES[0];
  const nextEvent = (): CoreV1EventBody => {
    if (config.spamBoundaries) {
      if (plan.length === 0) planEpisode();
      const next = plan.shift()!;
      clock.t = next.at;
      episodeKind = next.kind;
      return { ...spamObject, involvedObject: { ...spamObject.involvedObject, name: next.object }, message: pick(POOL.message) };
    }
    advance();
    if (!burst && random() < 0.02) burst = { left: Math.floor(random() * 50 + 10), like: randomEvent() };
    if (burst) {
      const like = burst.like;
      if (--burst.left === 0) burst = undefined;
      return { ...like, message: pick(POOL.message), ...(random() < 0.2 ? { reason: pick(POOL.reason) } : {}) };
    }
    if (recent.length > 0 && random() < 0.5) {
      const again = pick(recent);
      return random() < 0.3 ? { ...again, message: pick(POOL.message) } : again;
    }
    return randomEvent();
  };

  while (steps.length < config.steps) {
    let e = nextEvent();
    const group = aggregateGroup(e);
    const seen = groupMessages.get(group) ?? new Set<string>();
    groupMessages.set(group, seen);
    // A group that may be full has dropped a message chosen by Go's map order: only fresh messages from here.
    if (seen.size >= maxEvents && seen.has(e.message)) e = { ...e, message: `fresh ${++fresh}` };
    seen.add(e.message);
    const at = formatTime(clock.now());
    e = { ...e, metadata: { ...e.metadata, name: `${e.involvedObject.name}.${(++serial).toString(16)}` }, firstTimestamp: at, lastTimestamp: at };
    recent.push(e);
    if (recent.length > 8) recent.shift();

    steps.push({ op: 'correlate', atNs: epochMsToNs(clock.now()).toString(), event: e });
    const r = correlator.correlate(e);
    ours.push(r);
    if (config.spamBoundaries && exactBuckets.get(e.involvedObject.name)!.tryAccept(clock.now()) !== (r.action !== 'skip')) {
      stats[`unlike an exact-rate bucket, ${episodeKind}`]++;
    }
    stats[r.action]++;
    if (r.reason === 'aggregated') stats.aggregated++;
    if (r.reason === 'new') createdAs.set(r.event.metadata.name, structuredKey(e));
    if (r.reason === 'deduplicated' && createdAs.has(r.event.metadata.name) && createdAs.get(r.event.metadata.name) !== structuredKey(e)) {
      stats['dedup by concatenation only']++;
    }

    if (r.action !== 'skip' && random() < 0.25) {
      const u = random();
      const server: CoreV1EventBody = {
        ...r.event,
        metadata: { ...r.event.metadata, resourceVersion: String(1000 + steps.length), ...(u < 0.15 ? { name: `stored-${steps.length}` } : {}) },
        count: u < 0.05 ? 0 : u < 0.3 ? r.event.count + Math.floor(random() * 4) : r.event.count,
      };
      steps.push({ op: 'updateState', event: server });
      correlator.updateState(server);
      ours.push(undefined);
      stats.updateState++;
    }
  }
  return { steps, ours, stats };
}

function repoRoot(): string {
  for (let d = __dirname; path.dirname(d) !== d; d = path.dirname(d)) {
    if (fs.existsSync(path.join(d, 'test', 'cluster', 'build.sh'))) return d;
  }
  throw new Error(`cannot find test/cluster/build.sh above ${__dirname}`);
}

/** The oracle's path from build.sh, which builds it when its source changed (seconds with a warm cache). */
function oraclePath(): string {
  const script = path.join(repoRoot(), 'test', 'cluster', 'build.sh');
  const r = spawnSync('bash', [script], { encoding: 'utf8', timeout: 20 * 60_000 });
  const line = /^CORRELATOR_ORACLE=(.+)$/m.exec(r.stdout ?? '');
  if (r.status !== 0 || !line) {
    throw new Error(`${script} did not provide the correlator oracle (exit ${r.status}):\n${(r.stderr ?? '').split('\n').slice(-20).join('\n')}`);
  }
  return line[1].trim();
}

function runOracle(bin: string, config: Config, steps: Step[]): Promise<GoDecision[]> {
  const o = config.options;
  const input = JSON.stringify({
    options: { lruCacheSize: o.lruSize ?? 0, burstSize: o.burst ?? 0, qps: o.qps ?? 0, maxEvents: o.maxEvents ?? 0, maxIntervalInSeconds: o.maxIntervalSeconds ?? 0 },
    steps,
  });
  return new Promise((resolve, reject) => {
    const child = spawn(bin, [], { stdio: ['pipe', 'pipe', 'pipe'] });
    const timer = setTimeout(() => child.kill(), 120_000);
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s));
    child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      if (code !== 0) return reject(new Error(`the oracle exited with ${code}: ${stderr.trim()}`));
      resolve(stdout.trimEnd().split('\n').map((l) => JSON.parse(l) as GoDecision));
    });
    child.stdin.end(input);
  });
}

/** The fields both sides decide, with Go's omitted empties filled in. */
function project(e: Partial<CoreV1EventBody>) {
  const o: Partial<ObjectReferenceJson> = e.involvedObject ?? {};
  return {
    name: e.metadata?.name ?? '',
    namespace: e.metadata?.namespace ?? '',
    resourceVersion: e.metadata?.resourceVersion ?? '',
    count: e.count ?? 0,
    reason: e.reason ?? '',
    message: e.message ?? '',
    type: e.type ?? '',
    firstTimestamp: e.firstTimestamp ?? null,
    lastTimestamp: e.lastTimestamp ?? null,
    source: { component: e.source?.component ?? '', host: e.source?.host ?? '' },
    involvedObject: [o.kind, o.namespace, o.name, o.uid, o.apiVersion, o.fieldPath].map((v) => v ?? ''),
    reportingComponent: e.reportingComponent ?? '',
    reportingInstance: e.reportingInstance ?? '',
    action: e.action ?? '',
  };
}

describe("the core/v1 correlator agrees with client-go's EventCorrelator step by step", () => {
  let oracle = '';
  before(() => {
    oracle = oraclePath();
  });

  for (const config of CONFIGS) {
    it(`${config.name} (seed ${config.seed.toString(16)})`, async (t) => {
      const { steps, ours, stats } = generate(config);
      const theirs = await runOracle(oracle, config, steps);
      assert.equal(theirs.length, steps.length, 'the oracle answered every step');
      let compared = 0;
      for (let i = 0; i < steps.length; i++) {
        const ourResult = ours[i];
        if (!ourResult) continue;
        const go = theirs[i];
        const step = steps[i];
        const where = `step ${i} of "${config.name}" (seed ${config.seed.toString(16)}), at ${step.op === 'correlate' ? step.atNs : ''} ns, event ${JSON.stringify(step.event)}`;
        assert.equal(ourResult.action === 'skip', go.skip, `${where}: we ${ourResult.action} (${ourResult.reason}), client-go ${go.skip ? 'skips' : 'sends'}`);
        if (!go.skip) {
          assert.deepEqual(project(ourResult.event), project(go.event ?? {}), `${where}: the event to send differs`);
          assert.equal(ourResult.action, (go.event?.count ?? 0) > 1 ? 'patch' : 'create', `${where}: create or patch`);
          assert.deepEqual(ourResult.patch ?? null, go.patch, `${where}: the patch differs`);
        }
        compared++;
      }
      t.diagnostic(`${compared} decisions agree; ${Object.entries(stats).map(([k, v]) => `${k} ${v}`).join(', ')}`);
      // The run must have exercised what it claims to, or agreement proves little.
      assert.ok(stats.skip > 0 && stats.create > 0 && stats.patch > 0, JSON.stringify(stats));
      if (!config.spamBoundaries) assert.ok(stats.aggregated > 0 && stats.updateState > 0 && stats['clock stepped back'] > 0, JSON.stringify(stats));
      if (config.name === "client-go's defaults") assert.ok(stats['dedup by concatenation only'] > 0, JSON.stringify(stats));
      // Steps where a plain exact-rate bucket with the same history decides otherwise, and client-go agreed with us.
      if (config.spamBoundaries) for (const kind of EPISODES) assert.ok(stats[`unlike an exact-rate bucket, ${kind}`] > 0, JSON.stringify(stats));
    });
  }
});
