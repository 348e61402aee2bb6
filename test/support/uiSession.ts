// One code-server with the packaged extension and one headless Chromium page, for a UI suite, with the step
// discipline the suites share: a failing step saves a screenshot, and a failing critical step skips the rest.
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { findRepoRoot, launchBrowser, startCodeServer, type CodeServer, type CodeServerOptions } from './codeServer';
import { screenshot } from './workbench';

export class UiSession {
  server: CodeServer | undefined;
  browser: Browser | undefined;
  page: Page | undefined;
  /** A critical step failed: the rest are skipped, and the run dir is kept for its logs. */
  broken = false;

  /**
   * @param failurePrefix put before a step's name in its failure screenshot (`failure-<prefix><name>.png`).
   * @param everyStepCritical whether a step is critical unless it says otherwise.
   */
  constructor(
    private readonly failurePrefix = '',
    private readonly everyStepCritical = true,
  ) {}

  /** Starts code-server with dist/kube-events.vsix installed, then the browser and its page. */
  async start(opts: Omit<CodeServerOptions, 'vsix'>, viewport = { width: 1500, height: 900 }): Promise<Page> {
    this.server = await startCodeServer({ vsix: join(findRepoRoot(), 'dist', 'kube-events.vsix'), ...opts });
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
    } catch (err) {
      if (critical) this.broken = true;
      await screenshot(page, `failure-${this.failurePrefix}${name}`).catch(() => undefined);
      throw err;
    }
  }

  /** Closes the browser and stops code-server (keeping its run dir when a critical step failed). */
  async stop(): Promise<void> {
    await this.browser?.close().catch(() => undefined);
    await this.server?.stop({ removeRunDir: !this.broken });
  }
}
