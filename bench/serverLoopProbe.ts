// Preloaded into the language server's process by bench/languageServerLoad.ts (`node --require`): the event-loop
// delay of that process. Each SIGUSR2 writes what was measured since the previous one to the file named by
// KUBE_EVENTS_LOOP_PROBE, then starts again. Bench only; the shipped server never loads it.
import * as fs from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';

const file = process.env.KUBE_EVENTS_LOOP_PROBE;
if (file) {
  const delay = monitorEventLoopDelay({ resolution: 10 });
  delay.enable();
  process.on('SIGUSR2', () => {
    const figures = { p50_ms: delay.percentile(50) / 1e6, p99_ms: delay.percentile(99) / 1e6, max_ms: delay.max / 1e6, samples: delay.count };
    delay.reset();
    fs.writeFileSync(`${file}.tmp`, JSON.stringify(figures));
    fs.renameSync(`${file}.tmp`, file);
  });
}
