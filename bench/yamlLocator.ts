// `node out/bench/yamlLocator.js`: how long the YAML locator takes on a 5,000-line multi-document manifest
// (issue 9: first diagnostics within 500 ms of opening one). Reported, not asserted.
import { locateManifests } from '../src/server/yamlLocator';

const docs: string[] = [];
for (let i = 0; docs.length * 10 < 5_000; i++) docs.push(`apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: filler-${i}\n  namespace: bench\ndata:\n  a: "1"\n  b: "2"\n  c: "3"\n---`);
const text = docs.join('\n');
const times: number[] = [];
for (let run = 0; run < 5; run++) {
  const t0 = performance.now();
  const objects = locateManifests(text);
  times.push(performance.now() - t0);
  if (objects.length !== docs.length) throw new Error(`found ${objects.length} of ${docs.length}`);
}
console.log(`yaml locator, ${text.split('\n').length} lines: first ${times[0].toFixed(0)} ms, best ${Math.min(...times).toFixed(0)} ms`);
