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
