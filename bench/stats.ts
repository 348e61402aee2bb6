/** Figures of repeated runs: the median is what the JSON line reports; min and max go to latest.json. */
export interface Spread {
  median: number;
  min: number;
  max: number;
  runs: number;
}

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

export function spread(xs: readonly number[], digits = 0): Spread {
  if (xs.length === 0) throw new Error('no runs to summarise');
  const round = (n: number) => +n.toFixed(digits);
  return { median: round(median(xs)), min: round(Math.min(...xs)), max: round(Math.max(...xs)), runs: xs.length };
}

export function log(m: string): void {
  process.stderr.write(`[bench] ${m}\n`);
}

export interface CpuProfile {
  nodes: Array<{ id: number; callFrame: { functionName: string; url: string; lineNumber: number } }>;
  samples?: number[];
  timeDeltas?: number[];
}

/** The five functions with the most self time in a CPU profile, as `name (file:line) ms`. */
export function topSelf(profile: CpuProfile): string {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<string, number>();
  (profile.samples ?? []).forEach((id, i) => {
    const f = byId.get(id)?.callFrame;
    const key = f ? `${f.functionName || '(anonymous)'} (${f.url.slice(f.url.lastIndexOf('/') + 1)}:${f.lineNumber + 1})` : '?';
    self.set(key, (self.get(key) ?? 0) + (profile.timeDeltas?.[i] ?? 0) / 1000);
  });
  return [...self.entries()].sort((a, b) => b[1] - a[1]).slice(0, 5).map(([k, ms]) => `${k} ${ms.toFixed(0)} ms`).join(', ');
}
