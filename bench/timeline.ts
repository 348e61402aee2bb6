/**
 * The timeline as a user feels it: the real webview bundle (dist/webview.js, media/timeline.css, the HTML of
 * src/host/timeline/renderHtml.ts with its CSP) in headless Chromium launched as the UI suite launches it, fed
 * 100,000 events by the real host half (`TimelineFeed` over an `EventStore` holding them, in this process)
 * through the real message protocol: the view's `view/ready` goes to the feed, and every message the feed
 * posts for the reset is JSON-serialised here (as VS Code's extension host does), then parsed and posted to the
 * window one after the other, each as soon as the view handled the one before (as VS Code's webview frame posts
 * them, so the structured clone is part of the cost).
 *   timeline_first_paint_100k_ms: the feed's reset task starts → its first message is serialised (host), plus
 *                                  that message posted → the frame with the first table rows is rendered (view).
 *   timeline_all_rows_100k_ms:     the first message posted → the frame after the last one that shows every
 *                                  event (the status line's count), i.e. how long the pages take.
 *   timeline_paging_longest_task_ms: the longest main-thread task in the page while the pages arrive: how long
 *                                  a keystroke or a scroll may wait meanwhile.
 *   timeline_filter_100k_ms:      `filter/state` (type:Warning) posted → the frame with the filtered rows.
 *                                  The host's round trip and the filter box's typing debounce are not in it.
 *   timeline_scroll_p95_ms:       main-thread work of each frame while scrolling the 100k rows (wheel-sized
 *                                  steps and page jumps): from the frame's start (the rAF timestamp) to the
 *                                  end of its rendering (a MessageChannel task queued from the last rAF callback).
 */
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import type { CDPSession } from 'playwright-core';
import { launchBrowser } from '../test/support/codeServer';
import { normalizeEvent, type KubeEvent } from '../src/core/events/kubeEvent';
import { EventStore } from '../src/core/events/eventStore';
import { silentLogger } from '../src/core/ports';
import { makeNonce, renderHtml } from '../src/host/timeline/renderHtml';
import { TimelineFeed } from '../src/host/timeline/timelineFeed';
import type { HostMessage } from '../src/protocol/webview';
import { eventJson } from './events';
import { log, spread, topSelf, type Spread } from './stats';

const EVENTS = Number(process.env.BENCH_TIMELINE_EVENTS ?? 100_000);
const SCROLL_STEPS = 200;
const FILTER = 'type:Warning';

/** Serves the panel's HTML and its two assets from one origin, which stands in for `webview.cspSource`. */
async function servePanel(root: string): Promise<{ url: string; close(): Promise<void> }> {
  let origin = '';
  const files: Record<string, [string, string]> = {
    '/dist/webview.js': [path.join(root, 'dist', 'webview.js'), 'text/javascript'],
    '/media/timeline.css': [path.join(root, 'media', 'timeline.css'), 'text/css'],
  };
  for (const [file] of Object.values(files)) if (!fs.existsSync(file)) throw new Error(`${file} is missing: run \`node esbuild.mjs\` first`);
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', origin);
    const file = files[url.pathname];
    if (url.pathname === '/') {
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
      res.end(renderHtml({ cspSource: origin, nonce: makeNonce(), scriptUri: `${origin}/dist/webview.js`, styleUri: `${origin}/media/timeline.css` }));
    } else if (file) {
      res.writeHead(200, { 'Content-Type': file[1] });
      res.end(fs.readFileSync(file[0]));
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  origin = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  return { url: `${origin}/`, close: () => new Promise((r) => server.close(() => r())) };
}

/** The store the feed reads, holding every recorded event (oldest first, as a list and watch leave it). */
function filledStore(): EventStore {
  const store = new EventStore({ capacity: EVENTS, maxBytes: 4 * 1024 ** 3 });
  const changes: Array<{ type: 'ADDED'; event: KubeEvent }> = [];
  for (let i = 0; i < EVENTS; i++) {
    const e = normalizeEvent(JSON.parse(eventJson(i, i + 2)), 'core/v1');
    if (!e) throw new Error(`recorded event ${i} does not normalise`);
    changes.push({ type: 'ADDED', event: e });
  }
  store.applyBatch(changes);
  if (store.size !== EVENTS) throw new Error(`the store holds ${store.size} of ${EVENTS} events`);
  return store;
}

/** What the feed posted for one reset: each message as the extension host serialises it. */
interface Recorded {
  readonly messages: string[];
  /** The feed's reset task start → its first message serialised. */
  readonly hostFirstMs: number;
  /** The feed's tasks' summed time (every page built and serialised). */
  readonly hostTotalMs: number;
}

/**
 * Runs the real host half: hands it the view's `view/ready` and records every message it posts until it has
 * been quiet for a while (the pages of a reset follow each other in their own tasks).
 */
async function recordReset(store: EventStore, ready: unknown): Promise<Recorded> {
  const messages: string[] = [];
  let taskStart = 0;
  let hostFirstMs = -1;
  let hostTotalMs = 0;
  let lastPost = performance.now();
  const feed = new TimelineFeed({
    store,
    logger: silentLogger,
    onReveal: () => undefined,
    onOpenResource: () => undefined,
    post: (m: HostMessage) => {
      messages.push(JSON.stringify(m));
      if (hostFirstMs < 0) hostFirstMs = performance.now() - taskStart;
      lastPost = performance.now();
      return Promise.resolve(true);
    },
    timers: {
      setTimeout: (fn: () => void, ms: number) =>
        setTimeout(() => {
          taskStart = performance.now();
          fn();
          hostTotalMs += performance.now() - taskStart;
        }, ms),
      clearTimeout: (h: unknown) => clearTimeout(h as NodeJS.Timeout),
    },
  });
  feed.receive(ready);
  while (messages.length === 0 || performance.now() - lastPost < 500) await new Promise((r) => setTimeout(r, 50));
  feed.dispose();
  return { messages, hostFirstMs, hostTotalMs };
}

/** Stands in for VS Code's `acquireVsCodeApi`: records what the view posts. Runs before the bundle. */
const VSCODE_API_STUB = `
window.__posted = [];
window.acquireVsCodeApi = () => ({ postMessage: (m) => window.__posted.push(m), getState: () => undefined, setState: () => {} });
`;

/**
 * In the page: posts `message` to the window, and resolves with the ms until the end of the first rendered
 * frame after which `settled()` holds. Our listener is added after the bundle's, so it runs after the view
 * handled the message, and its rAF callback after the view's own (same frame).
 */
const MEASURE = `
// What VS Code puts on a webview's page: the theme class and the --vscode-* variables (Dark Modern's).
document.body.classList.add('vscode-dark');
for (const [name, value] of Object.entries({
  'font-family': 'system-ui, sans-serif', 'font-size': '13px', 'font-weight': 'normal', 'editor-font-family': 'monospace',
  'foreground': '#cccccc', 'descriptionForeground': '#9d9d9d', 'disabledForeground': '#cccccc80', 'editor-background': '#1f1f1f',
  'focusBorder': '#0078d4', 'panel-border': '#2b2b2b', 'errorForeground': '#f85149', 'editorError-foreground': '#f14c4c',
  'editorWarning-foreground': '#cca700', 'textLink-foreground': '#4daafc', 'list-hoverBackground': '#2a2d2e',
  'list-activeSelectionBackground': '#04395e', 'list-activeSelectionForeground': '#ffffff', 'list-inactiveSelectionBackground': '#37373d',
  'input-background': '#313131', 'input-foreground': '#cccccc', 'input-border': '#3c3c3c', 'button-background': '#0078d4',
  'button-foreground': '#ffffff', 'button-secondaryBackground': '#313131', 'button-secondaryForeground': '#cccccc',
  'badge-background': '#616161', 'badge-foreground': '#f8f8f8', 'charts-blue': '#3794ff', 'charts-orange': '#d18616', 'charts-purple': '#b180d7',
})) document.documentElement.style.setProperty('--vscode-' + name, value);
window.__measure = (message, settled) => new Promise((resolve, reject) => {
  const channel = new MessageChannel();
  let t0 = 0;
  const timer = setTimeout(() => reject(new Error('the view did not settle within 30 s')), 30000);
  const frame = () => requestAnimationFrame(() => channel.port2.postMessage(0));
  channel.port1.onmessage = () => {
    if (!settled()) return frame();
    clearTimeout(timer);
    resolve(performance.now() - t0);
  };
  const listener = (e) => {
    if (!e.data || e.data.type !== message.type) return;
    window.removeEventListener('message', listener);
    frame();
  };
  window.addEventListener('message', listener);
  t0 = performance.now();
  window.postMessage(message, '*');
});
window.__messages = [];
window.__push = (json) => { window.__messages.push(json); };
window.__ready = () => window.__posted.find((m) => m.type === 'view/ready');
// Posts the recorded messages one after the other, each once the view handled the one before (our listener runs
// after the view's), and measures the first frame with rows and the first frame that shows every event.
window.__page = (expected) => new Promise((resolve, reject) => {
  const rows = document.getElementById('rows');
  const status = document.getElementById('status');
  const channel = new MessageChannel();
  const longest = [0];
  const observer = new PerformanceObserver((list) => { for (const e of list.getEntries()) longest[0] = Math.max(longest[0], e.duration); });
  observer.observe({ type: 'longtask' });
  const timer = setTimeout(() => reject(new Error('the view did not show every event within 60 s: ' + status.textContent)), 60000);
  let i = 0;
  let t0 = 0;
  let firstPaint = -1;
  let maxTask = 0;
  let taskStart = 0;
  const post = () => {
    taskStart = performance.now();
    window.postMessage(JSON.parse(window.__messages[i++]), '*');
  };
  const done = () => i >= window.__messages.length && status.textContent.startsWith(expected);
  const frame = () => requestAnimationFrame(() => {
    if (firstPaint < 0 && rows.childElementCount > 0) firstPaint = performance.now() - t0;
    if (firstPaint >= 0 && done()) {
      clearTimeout(timer);
      observer.disconnect();
      // Long tasks are reported asynchronously: give the last one a moment.
      setTimeout(() => resolve({ firstPaint, all: performance.now() - t0, longest: Math.max(longest[0], maxTask) }), 100);
      return;
    }
    if (firstPaint < 0 || i >= window.__messages.length) frame();
  });
  channel.port1.onmessage = () => { if (i < window.__messages.length) post(); };
  window.addEventListener('message', (e) => {
    if (e.source !== window) return;
    maxTask = Math.max(maxTask, performance.now() - taskStart);
    if (i === 1) frame();
    if (i < window.__messages.length) channel.port2.postMessage(0);
    else frame();
  });
  t0 = performance.now();
  post();
});
window.__filter = (text) => {
  const status = document.getElementById('status');
  const before = status.textContent;
  return window.__measure({ type: 'filter/state', text, applied: text, where: 'view' }, () => status.textContent !== before);
};
window.__scroll = (steps) => new Promise((resolve) => {
  const vp = document.getElementById('viewport');
  const channel = new MessageChannel();
  const times = [];
  let frameStart = 0;
  let step = 0;
  let timer;
  const next = () => {
    clearTimeout(timer);
    if (step >= steps) return resolve(times);
    step++;
    // Mostly wheel notches (3 rows), every tenth step a jump of several screens, as a dragged scrollbar does.
    const delta = step % 10 === 0 ? 20 * vp.clientHeight : 120;
    const max = vp.scrollHeight - vp.clientHeight;
    vp.scrollTop = vp.scrollTop + delta > max ? 0 : vp.scrollTop + delta;
    timer = setTimeout(() => resolve(times), 5000);
  };
  vp.addEventListener('scroll', () => requestAnimationFrame((ts) => { frameStart = ts; channel.port2.postMessage(0); }), { passive: true });
  channel.port1.onmessage = () => { times.push(performance.now() - frameStart); next(); };
  next();
});
`;

/** What MEASURE defines in the page (page functions are serialised and run there, where `globalThis` is the window). */
interface InPage {
  __ready(): unknown;
  __push(json: string): void;
  __page(expected: string): Promise<{ firstPaint: number; all: number; longest: number }>;
  __filter(text: string): Promise<number>;
  __scroll(steps: number): Promise<number[]>;
}

const PROFILE = process.env.BENCH_PROFILE === '1';

/** BENCH_PROFILE=1: the first run's CPU profile of a phase, for DevTools or VS Code, and its top self time. */
async function saveProfile(cdp: CDPSession, root: string, phase: string): Promise<void> {
  const { profile } = await cdp.send('Profiler.stop');
  const file = path.join(root, 'test-results', `bench-timeline-${phase}.cpuprofile`);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, JSON.stringify(profile));
  log(`timeline ${phase}: CPU profile in ${file}; top self time: ${topSelf(profile)}`);
}

/**
 * The renderer main thread's busiest trace events (Layout, UpdateLayoutTree, Paint, …) by summed duration, and its
 * CPU time (the top-level tasks' thread time, which a loaded machine's waiting does not inflate as it does wall time).
 */
function topTraceEvents(trace: Buffer, frames: number): string {
  const { traceEvents } = JSON.parse(trace.toString('utf8')) as { traceEvents: Array<{ name: string; ph: string; dur?: number; tdur?: number; tid: number; args?: { data?: { frame?: string } } }> };
  const main = traceEvents.find((e) => e.name === 'thread_name' && (e.args as { name?: string } | undefined)?.name === 'CrRendererMain');
  const sums = new Map<string, number>();
  let cpu = 0;
  for (const e of traceEvents) {
    if (e.ph !== 'X' || e.dur === undefined || (main && e.tid !== main.tid)) continue;
    sums.set(e.name, (sums.get(e.name) ?? 0) + e.dur / 1000);
    if (e.name === 'RunTask' || e.name === 'ThreadControllerImpl::RunTask') cpu += (e.tdur ?? 0) / 1000;
  }
  const top = [...sums.entries()].sort((a, b) => b[1] - a[1]).slice(0, 8).map(([k, ms]) => `${k} ${ms.toFixed(0)} ms`).join(', ');
  // Top-level tasks are traced only where Chromium's build records them with thread time.
  return cpu > 0 ? `${top}; main-thread CPU ${cpu.toFixed(0)} ms over ${frames} frames (${(cpu / frames).toFixed(1)} ms a frame)` : top;
}

function p95(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil(s.length * 0.95) - 1)];
}

export async function benchTimeline(root: string, runs: number): Promise<Record<string, Spread>> {
  log(`timeline: ${EVENTS} events in headless Chromium`);
  const store = filledStore();
  const expected = `${EVENTS.toLocaleString('en-US')} events · ${EVENTS.toLocaleString('en-US')} shown`;
  const server = await servePanel(root);
  const runDir = fs.mkdtempSync(path.join(os.tmpdir(), 'kube-events-bench-timeline-'));
  const browser = await launchBrowser(runDir);
  const paint: number[] = [];
  const allRows: number[] = [];
  const longest: number[] = [];
  const filter: number[] = [];
  const scroll: number[] = [];
  try {
    for (let r = 0; r < runs; r++) {
      const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      await page.addInitScript(VSCODE_API_STUB);
      await page.goto(server.url);
      await page.evaluate(MEASURE);
      await page.waitForFunction(() => (globalThis as unknown as InPage).__ready());
      const ready = await page.evaluate(() => (globalThis as unknown as InPage).__ready());
      const recorded = await recordReset(store, ready);
      for (const json of recorded.messages) await page.evaluate((c) => (globalThis as unknown as InPage).__push(c), json);
      const cdp = PROFILE && r === 0 ? await page.context().newCDPSession(page) : undefined;
      await cdp?.send('Profiler.enable');
      await cdp?.send('Profiler.start');
      const paged = await page.evaluate((text) => (globalThis as unknown as InPage).__page(text), expected);
      const firstPaint = recorded.hostFirstMs + paged.firstPaint;
      if (cdp) await saveProfile(cdp, root, 'first-paint');
      log(
        `timeline run ${r + 1}: host: first message ${recorded.hostFirstMs.toFixed(1)} ms, ${recorded.messages.length} messages ` +
          `(${(recorded.messages.reduce((n, m) => n + m.length, 0) / 1e6).toFixed(1)} MB of JSON) in ${recorded.hostTotalMs.toFixed(0)} ms of tasks; ` +
          `view: first rows ${paged.firstPaint.toFixed(0)} ms, every row ${paged.all.toFixed(0)} ms, longest task ${paged.longest.toFixed(0)} ms`,
      );
      const statusAll = await page.locator('#status').innerText();
      const filtered = await page.evaluate((text) => (globalThis as unknown as InPage).__filter(text), FILTER);
      const statusFiltered = await page.locator('#status').innerText();
      await page.evaluate(() => (globalThis as unknown as InPage).__filter(''));
      await cdp?.send('Profiler.start');
      if (cdp) await browser.startTracing(page, { categories: ['devtools.timeline', 'blink'] });
      const frames = await page.evaluate((steps) => (globalThis as unknown as InPage).__scroll(steps), SCROLL_STEPS);
      if (cdp) {
        await saveProfile(cdp, root, 'scroll');
        log(`timeline scroll: renderer main thread by trace event: ${topTraceEvents(await browser.stopTracing(), frames.length)}`);
      }
      if (errors.length > 0) throw new Error(`the timeline page failed: ${errors.join('; ')}`);
      if (frames.length < SCROLL_STEPS / 2) throw new Error(`only ${frames.length}/${SCROLL_STEPS} scroll frames were rendered`);
      paint.push(firstPaint);
      allRows.push(paged.all);
      longest.push(paged.longest);
      filter.push(filtered);
      scroll.push(p95(frames));
      log(
        `timeline run ${r + 1}: first paint ${firstPaint.toFixed(0)} ms ("${statusAll}"), filter ${filtered.toFixed(0)} ms ` +
          `("${statusFiltered}"), scroll p95 ${p95(frames).toFixed(1)} ms over ${frames.length} frames (max ${Math.max(...frames).toFixed(1)})`,
      );
      if (r === 0) {
        fs.mkdirSync(path.join(root, 'test-results'), { recursive: true });
        await page.screenshot({ path: path.join(root, 'test-results', 'bench-timeline-100k.png') });
      }
      await page.close();
    }
  } finally {
    await browser.close();
    await server.close();
    fs.rmSync(runDir, { recursive: true, force: true });
  }
  return {
    timeline_first_paint_100k_ms: spread(paint),
    timeline_all_rows_100k_ms: spread(allRows),
    timeline_paging_longest_task_ms: spread(longest),
    timeline_filter_100k_ms: spread(filter),
    timeline_scroll_p95_ms: spread(scroll, 1),
  };
}
