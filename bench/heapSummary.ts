/**
 * `node out/bench/heapSummary.js FILE.heapsnapshot`: what a V8 heap snapshot holds, by constructor (objects)
 * or kind (strings, arrays, code), largest self size first. For BENCH_PROFILE's snapshot of the extension host.
 */
import * as fs from 'node:fs';

interface Snapshot {
  snapshot: { meta: { node_fields: string[]; node_types: [string[]] } };
  nodes: number[];
  strings: string[];
}

function main(): void {
  const file = process.argv[2];
  if (!file || !fs.existsSync(file)) {
    console.error('usage: node out/bench/heapSummary.js FILE.heapsnapshot');
    process.exit(2);
  }
  const snap = JSON.parse(fs.readFileSync(file, 'utf8')) as Snapshot;
  const fields = snap.snapshot.meta.node_fields;
  const types = snap.snapshot.meta.node_types[0];
  const [iType, iName, iSize] = ['type', 'name', 'self_size'].map((f) => fields.indexOf(f));
  const sums = new Map<string, { bytes: number; count: number }>();
  let total = 0;
  for (let i = 0; i < snap.nodes.length; i += fields.length) {
    const type = types[snap.nodes[i + iType]];
    const key = type === 'object' || type === 'closure' ? `${type} ${snap.strings[snap.nodes[i + iName]]}` : type;
    const size = snap.nodes[i + iSize];
    total += size;
    const s = sums.get(key) ?? { bytes: 0, count: 0 };
    s.bytes += size;
    s.count++;
    sums.set(key, s);
  }
  console.log(`${(total / 1e6).toFixed(1)} MB in ${file}`);
  for (const [k, v] of [...sums.entries()].sort((a, b) => b[1].bytes - a[1].bytes).slice(0, 15)) {
    console.log(`${(v.bytes / 1e6).toFixed(1).padStart(7)} MB ${String(v.count).padStart(8)}  ${k}`);
  }
}

main();
