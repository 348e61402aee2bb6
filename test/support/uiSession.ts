// One code-server with the packaged extension and one headless Chromium page, for a UI suite, with the step
// discipline the suites share: a failing step saves a screenshot, and a failing critical step skips the rest.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import type { KubeClient } from '../../src/kube/kubeClient';
import { connectAdmin, type AdminConnection } from './admin';
import { findRepoRoot, launchBrowser, startCodeServer, type CodeServer, type CodeServerOptions } from './codeServer';
import { openViewContainer, openWorkbench, screenshot } from './workbench';

type Viewport = { readonly width: number; readonly height: number };

export class UiSession {
  server: CodeServer | undefined;
  browser: Browser | undefined;
  page: Page | undefined;
  /** A critical step failed: the rest are skipped. */
  broken = false;
  /** A step failed: the run dir is kept for its logs. */
  failed = false;

  /**
   * @param failurePrefix put before a step's name in its failure screenshot (`failure-<prefix><name>.png`).
   * @param everyStepCritical whether a step is critical unless it says otherwise.
   */
  constructor(
    private readonly failurePrefix = '',
    private readonly everyStepCritical = true,
  ) {}

  private readonly started = Date.now();
  /** Run by stop() after code-server, last registered first. */
  private readonly cleanups: (() => Promise<void> | void)[] = [];

  /** code-server settings that watch only `namespaces`, in the theme every screenshot is taken in. */
  static watching(namespaces: readonly string[], more: Record<string, unknown> = {}): Record<string, unknown> {
    return { 'kubeEvents.namespaces': namespaces, 'workbench.colorTheme': 'Default Dark Modern', ...more };
  }

  /** The test control plane's admin (KUBECONFIG), for seeding the cluster; stop() disposes its client. */
  connectAdmin(): AdminConnection {
    const admin = connectAdmin();
    this.cleanups.push(() => admin.client.dispose());
    return admin;
  }

  /** Deletes a suite's namespace at stop(), before its client is disposed; a failed delete is ignored. */
  deleteNamespaceAtStop(client: KubeClient, namespace: string): void {
    this.cleanups.push(() => client.request(`/api/v1/namespaces/${namespace}`, { method: 'DELETE' }).then(() => undefined, () => undefined));
  }

  /** Loads the workbench and opens the extension's view container. */
  async openContainer(page: Page, container = 'Kube Events'): Promise<void> {
    await openWorkbench(page, this.workbenchUrl, container);
    await openViewContainer(page, container);
  }

  /** Starts code-server with dist/kube-events.vsix installed, then the browser and its page. */
  async start(opts: Omit<CodeServerOptions, 'vsix'>, viewport?: Viewport): Promise<Page> {
    await this.startServer(opts);
    return this.openPage(viewport);
  }

  /** Starts code-server only: a suite can write into its workspace before the page loads it. */
  async startServer(opts: Omit<CodeServerOptions, 'vsix'>): Promise<CodeServer> {
    const vsix = join(findRepoRoot(), 'dist', 'kube-events.vsix');
    if (!existsSync(vsix)) throw new Error(`${vsix} is missing: run \`node test/support/packageVsix.mjs\` (npm test builds it)`);
    this.server = await startCodeServer({ vsix, ...opts });
    return this.server;
  }

  /** Launches the browser and its page against the running code-server. */
  async openPage(viewport: Viewport = { width: 1500, height: 900 }): Promise<Page> {
    if (!this.server) throw new Error('code-server is not running');
    this.browser = await launchBrowser(this.server.runDir);
    this.page = await this.browser.newPage({ viewport });
    return this.page;
  }

  get workbenchUrl(): string {
    if (!this.server) throw new Error('code-server is not running');
    return this.server.workbenchUrl();
  }

  /** Runs one step on the page; skipped when the page is missing or a critical step failed before. */
  async step(t: TestContext, name: string, fn: (page: Page) => Promise<void>, critical = this.everyStepCritical): Promise<void> {
    const page = this.page;
    if (this.broken || !page) return t.skip('an earlier step failed');
    try {
      await fn(page);
      t.diagnostic(`${name} done at ${((Date.now() - this.started) / 1000).toFixed(1)}s`);
    } catch (err) {
      this.failed = true;
      if (critical) this.broken = true;
      const shot = await screenshot(page, `failure-${this.failurePrefix}${name}`).catch(() => undefined);
      if (shot) t.diagnostic(`screenshot: ${shot}`);
      throw err;
    }
  }

  /** Closes the browser and stops code-server (keeping its run dir when a step failed), then cleans up the cluster. */
  async stop(): Promise<void> {
    await this.browser?.close().catch(() => undefined);
    await this.server?.stop({ removeRunDir: !this.failed });
    if (this.server && this.failed) console.error(`# code-server run dir kept for its logs: ${this.server.runDir}`);
    for (const cleanup of this.cleanups.splice(0).reverse()) await cleanup();
  }
}
