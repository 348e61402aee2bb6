// Page helpers for driving the VS Code workbench (as served by code-server) through playwright-core.
// Selectors follow the workbench DOM of VS Code 1.100; each helper polls with a deadline instead of sleeping.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { FrameLocator, Locator, Page } from 'playwright-core';
import { findRepoRoot } from './codeServer';

const DEFAULT_TIMEOUT_MS = 30_000;

export interface PollOptions {
  timeoutMs?: number;
  intervalMs?: number;
}

/** Re-evaluates `probe` until it returns something other than undefined/false; at the deadline throws `describe`. */
export async function poll<T>(
  probe: () => Promise<T | undefined | false>,
  describe: string | (() => Promise<string> | string),
  opts: PollOptions = {},
): Promise<T> {
  const deadline = Date.now() + (opts.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) {
      throw new Error(`timed out: ${typeof describe === 'string' ? describe : await describe()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, opts.intervalMs ?? 100));
  }
}

/** Opens the workbench and waits until an activity-bar entry the extension contributes is rendered. */
export async function openWorkbench(page: Page, url: string, containerTitle: string): Promise<void> {
  await page.goto(url);
  await page.locator('.monaco-workbench .part.activitybar').waitFor({ timeout: 60_000 });
  // The container's icon appears once the extension host has scanned the extension.
  await activityBarItem(page, containerTitle).waitFor({ timeout: 60_000 });
}

/** The icon of an activity-bar entry; its aria-label is the title, plus the keybinding when there is one. */
function activityBarItem(page: Page, title: string): Locator {
  return page.locator(`.part.activitybar ${activityBarLabel(title)}`).first();
}

function activityBarLabel(title: string): string {
  return `a.action-label[aria-label^="${cssString(title)}"]`;
}

/** Shows a view container from the activity bar; a no-op when it is already showing. */
export async function openViewContainer(page: Page, title: string): Promise<void> {
  const label = activityBarItem(page, title);
  const tab = page
    .locator('.part.activitybar li.action-item')
    .filter({ has: page.locator(activityBarLabel(title)) })
    .first();
  // Clicking the active container's icon would hide the side bar again.
  if ((await tab.getAttribute('aria-selected')) !== 'true') await label.click();
  await poll(
    async () => (await tab.getAttribute('aria-selected')) === 'true',
    `activity-bar container "${title}" did not become active`,
  );
  await page.locator('.part.sidebar .composite.title h2', { hasText: title }).waitFor({ timeout: DEFAULT_TIMEOUT_MS });
  await parkMouse(page);
}

/** The pane of a view by its name (the view's `name` in package.json), in the side bar or the panel. */
export function viewPane(page: Page, viewName: string): Locator {
  return page
    .locator('.pane')
    .filter({ has: page.locator(`.pane-header[aria-label="${cssString(viewName)} Section"]`) });
}

/** Waits until a view's body is visible. */
export async function waitForView(page: Page, viewName: string, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<void> {
  await viewPane(page, viewName).locator('.pane-body').waitFor({ state: 'visible', timeout: timeoutMs });
}

/** The rendered rows of a tree view (only rows scrolled into view exist in the DOM). */
export async function treeRows(page: Page, viewName: string): Promise<string[]> {
  const rows = viewPane(page, viewName).locator('.pane-body .monaco-list-row');
  return (await rows.allInnerTexts()).map(normalize);
}

/**
 * The text of an element that may come and go (a welcome view the first rows replace, a message): '' when it
 * is not shown. It can vanish between the visibility check and the read; then it is not shown either, rather
 * than waited for.
 */
async function shownText(element: Locator): Promise<string> {
  if (!(await element.isVisible())) return '';
  return normalize(await element.innerText({ timeout: 1_000 }).catch(() => ''));
}

/** The `viewsWelcome` text a view shows while it is empty, or '' when it shows content. */
export function viewWelcomeText(page: Page, viewName: string): Promise<string> {
  return shownText(viewPane(page, viewName).locator('.pane-body.welcome .welcome-view-content'));
}

/** The message a tree view shows above its rows (`TreeView.message`), or ''. */
export function treeMessage(page: Page, viewName: string): Promise<string> {
  return shownText(viewPane(page, viewName).locator('.tree-explorer-viewlet-tree-view > .message'));
}

export interface TreeViewContent {
  rows: string[];
  welcome: string;
  message: string;
}

/** The workbench's placeholder until the extension registers the view's TreeDataProvider. */
const NO_PROVIDER = /no data provider registered/i;

/**
 * Waits until a tree view shows what its extension put there: its data provider is registered (so the
 * extension has activated) and it shows rows, welcome content or a message. Screenshots taken earlier
 * show the workbench's placeholder instead.
 */
export async function waitForTreeView(page: Page, viewName: string, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<TreeViewContent> {
  await waitForView(page, viewName, timeoutMs);
  const content = async (): Promise<TreeViewContent> => ({
    rows: await treeRows(page, viewName),
    welcome: await viewWelcomeText(page, viewName),
    message: await treeMessage(page, viewName),
  });
  return poll(
    async () => {
      const c = await content();
      const placeholder = NO_PROVIDER.test(c.message);
      return !placeholder && (c.rows.length > 0 || c.welcome !== '' || c.message !== '') ? c : undefined;
    },
    async () => `view "${viewName}" shows nothing of its own: ${JSON.stringify(await content())}`,
    { timeoutMs },
  );
}

/** Runs a command from the palette by its full title, e.g. "Kube Events: Show Log". */
export async function runCommand(page: Page, title: string, opts: PickOptions = {}): Promise<void> {
  await page.keyboard.press('F1');
  await pickQuickInput(page, title, opts);
}

export interface PickOptions {
  /** False when the accepted entry opens another quick pick (e.g. "Preferences: Color Theme"). */
  closes?: boolean;
}

/**
 * Types into the open quick input and accepts the entry whose label is `label`. Polls until that entry is
 * listed, because the list filters asynchronously and Enter on a stale list would run another entry; the
 * best match is not always the focused row, so an unfocused match is clicked instead.
 */
export async function pickQuickInput(page: Page, label: string, opts: PickOptions = {}): Promise<void> {
  const input = page.locator('.quick-input-widget .quick-input-box input');
  await input.waitFor({ state: 'visible', timeout: DEFAULT_TIMEOUT_MS });
  // The palette opens with '>' already typed; keep it and replace only the filter text after it.
  const prefix = ((await input.inputValue()).match(/^[>@#:%?]*/) ?? [''])[0];
  await input.fill(`${prefix}${label}`);
  const rows = page.locator('.quick-input-list .monaco-list-row');
  const listed = () =>
    rows.evaluateAll((els) => els.map((el) => ({ aria: el.getAttribute('aria-label') ?? '', focused: el.classList.contains('focused') })));
  // Row labels carry extras after a comma: the keybinding, "recently used", "similar commands".
  const match = await poll(
    async () => {
      const index = (await listed()).findIndex((r) => r.aria === label || r.aria.startsWith(`${label},`));
      return index >= 0 ? index : undefined;
    },
    async () => `quick input lists no "${label}"; rows: ${JSON.stringify((await listed()).map((r) => r.aria))}`,
  );
  if ((await listed())[match]?.focused) await page.keyboard.press('Enter');
  else await rows.nth(match).click();
  if (opts.closes !== false) {
    await page.locator('.quick-input-widget').waitFor({ state: 'hidden', timeout: DEFAULT_TIMEOUT_MS });
  }
}

/** Waits until the quick input shows the step whose title contains `title` (each prompt replaces the last). */
export async function waitForPrompt(page: Page, title: string): Promise<void> {
  await page.locator('.quick-input-widget .quick-input-title', { hasText: title }).waitFor({ state: 'visible' });
}

/** Answers an input box: waits for its title, types, presses Enter. */
export async function answer(page: Page, title: string, text: string): Promise<void> {
  await waitForPrompt(page, title);
  await page.locator('.quick-input-widget .quick-input-box input').fill(text);
  await page.keyboard.press('Enter');
}

/** Types into the open quick input and accepts the focused (first) entry once the list shows the typed text. */
export async function typeAndAccept(page: Page, text: string): Promise<void> {
  const input = page.locator('.quick-input-widget .quick-input-box input');
  await input.waitFor({ state: 'visible' });
  await input.fill(text);
  // The list is re-rendered asynchronously after each keystroke; accept only once it shows the typed value.
  await poll(async () => (await page.locator('.quick-input-list .monaco-list-row').first().innerText().catch(() => '')).includes(text.slice(0, 20)), `quick input to list "${text}"`);
  await page.keyboard.press('Enter');
}

/**
 * Runs a palette command that opens a quick input, until the prompt titled `promptTitle` shows: a late focus
 * change (a view opening, a notification) can close the palette before the command's title is typed.
 */
export async function runQuickInputCommand(page: Page, title: string, promptTitle: string, timeoutMs = 90_000): Promise<void> {
  await poll(
    async () => {
      await page.keyboard.press('Escape');
      await page.locator('.quick-input-widget').waitFor({ state: 'hidden' });
      return runCommand(page, title, { closes: false }).then(
        () => page.locator('.quick-input-widget .quick-input-title', { hasText: promptTitle }).waitFor({ timeout: 10_000 }).then(() => true),
        () => false,
      );
    },
    `the "${promptTitle}" prompt of "${title}"`,
    { timeoutMs },
  );
}

/** Drags the side bar's sash so it is `width` pixels wide, or as wide as `width(current)` (descriptions readable in screenshots). */
export async function widenSideBar(page: Page, width: number | ((current: number) => number)): Promise<void> {
  const box = await page.locator('.part.sidebar').boundingBox();
  if (!box) return;
  const x = box.x + box.width;
  const y = box.y + box.height / 2;
  await page.mouse.move(x - 1, y);
  await page.mouse.down();
  await page.mouse.move(box.x + (typeof width === 'number' ? width : width(box.width)), y, { steps: 5 });
  await page.mouse.up();
}

/** The messages of the notification toasts currently showing. */
export async function notificationToasts(page: Page): Promise<string[]> {
  return (await page.locator('.notifications-toasts .notification-list-item-message').allInnerTexts()).map(normalize);
}

/** Waits for a toast whose message contains `text` and returns its full message. */
export async function waitForNotification(page: Page, text: string, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<string> {
  return poll(
    async () => (await notificationToasts(page)).find((m) => m.includes(text)),
    async () => `no notification containing "${text}"; showing: ${JSON.stringify(await notificationToasts(page))}`,
    { timeoutMs },
  );
}

/** The output channel selected in the Output view, or undefined when the Output view is not showing. */
export async function selectedOutputChannel(page: Page): Promise<string | undefined> {
  const output = page.locator('.part.panel [id="workbench.panel.output"]');
  if (!(await output.isVisible())) return undefined;
  const select = page.locator('.part.panel .title-actions select.monaco-select-box');
  return (await select.count()) > 0 ? select.first().inputValue() : undefined;
}

/** Waits until the Output view shows the channel `name`. */
export async function waitForOutputChannel(page: Page, name: string, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<void> {
  await poll(
    async () => (await selectedOutputChannel(page)) === name,
    async () => `output channel "${name}" is not selected (selected: ${JSON.stringify(await selectedOutputChannel(page))})`,
    { timeoutMs },
  );
}

/** The rendered lines of the Output view (the editor renders only the lines scrolled into view). */
export async function outputLines(page: Page): Promise<string[]> {
  return (await page.locator('.part.panel [id="workbench.panel.output"] .view-line').allInnerTexts()).map(normalize);
}

/** Waits for an output line containing `text` and returns it. */
export async function waitForOutputLine(page: Page, text: string, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<string> {
  return poll(
    async () => (await outputLines(page)).find((line) => line.includes(text)),
    async () => `no output line containing "${text}"; lines: ${JSON.stringify(await outputLines(page))}`,
    { timeoutMs },
  );
}

/**
 * The extension's own document inside a webview. The workbench nests it twice: the host page
 * (iframe.webview, same origin, served by code-server) holds `#active-frame` with the extension's HTML.
 * `kind: 'view'` picks a WebviewView, `'panel'` a WebviewPanel.
 */
export function webviewFrame(page: Page, extensionId: string, kind: 'view' | 'panel' = 'panel'): FrameLocator {
  const purpose = kind === 'view' ? '[src*="purpose=webviewView"]' : ':not([src*="purpose=webviewView"])';
  return page
    .frameLocator(`iframe.webview[src*="extensionId=${cssString(extensionId)}"]${purpose}`)
    .frameLocator('#active-frame');
}

/** Switches the color theme through "Preferences: Color Theme"; returns the workbench's theme class. */
export async function setColorTheme(page: Page, themeLabel: string): Promise<'vs' | 'vs-dark' | 'hc-black' | 'hc-light'> {
  const before = await page.locator('.monaco-workbench').getAttribute('class');
  await runCommand(page, 'Preferences: Color Theme', { closes: false });
  // The theme picker replaces the palette in the same widget: wait until the palette's '>' text is gone.
  const input = page.locator('.quick-input-widget .quick-input-box input');
  await poll(async () => !(await input.inputValue()).startsWith('>'), 'the color theme picker did not open');
  await pickQuickInput(page, themeLabel);
  return poll(
    async () => {
      const cls = (await page.locator('.monaco-workbench').getAttribute('class')) ?? '';
      const kind = (['hc-black', 'hc-light', 'vs-dark', 'vs'] as const).find((k) => cls.split(' ').includes(k));
      // A theme of the same kind does not change the class; the theme picker closing is then all we can see.
      return kind && (cls !== before || themeKindOf(themeLabel) === kind) ? kind : undefined;
    },
    () => `color theme "${themeLabel}" did not apply`,
  );
}

function themeKindOf(label: string): string {
  if (/high contrast light/i.test(label)) return 'hc-light';
  if (/high contrast/i.test(label)) return 'hc-black';
  return /dark/i.test(label) ? 'vs-dark' : 'vs';
}

/** `<repo>/test-results`, created on first use. */
export function resultsDir(): string {
  const dir = join(findRepoRoot(), 'test-results');
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** Saves a screenshot as test-results/<name>.png and returns its path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  const path = join(resultsDir(), `${name}.png`);
  await parkMouse(page);
  await page.screenshot({ path });
  return path;
}

/** Moves the pointer onto the empty editor area so no hover tooltip covers what a screenshot shows. */
async function parkMouse(page: Page): Promise<void> {
  const box = await page.locator('.part.editor').boundingBox();
  if (box) await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
}

function normalize(text: string): string {
  // The editor renders spaces as U+00A0.
  return text.replace(/\u00a0/g, ' ').trim();
}

function cssString(value: string): string {
  return value.replace(/["\\]/g, '\\$&');
}

/** Opens a workspace file (a path relative to the workspace) through Quick Open and waits for its tab. */
export async function openFile(page: Page, name: string): Promise<void> {
  const base = name.split('/').pop() ?? name;
  await page.keyboard.press('Control+P');
  const input = page.locator('.quick-input-widget .quick-input-box input');
  await input.waitFor({ state: 'visible' });
  await input.fill(name);
  let looks = 0;
  await poll(async () => {
    // A file the test wrote a moment ago may not be in Quick Open's file list yet: ask again every 2 s.
    if (++looks % 20 === 0) {
      await page.keyboard.press('Escape');
      await page.keyboard.press('Control+P');
      await input.fill(name);
    }
    return (await page.locator('.quick-input-list .monaco-list-row').first().innerText().catch(() => '')).includes(base);
  }, `Quick Open to list ${name}`);
  await page.keyboard.press('Enter');
  await page.locator(`.tab.active[aria-label*="${base}"], .tab.active:has-text("${base}")`).first().waitFor({ state: 'visible' });
}
