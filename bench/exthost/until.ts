// Polling for the extension-host bench suites (bench/exthost/suite.ts, scaleSuite.ts): every 5 ms, so the
// figures they time are not rounded up to a coarser poll.

/** Resolves once `ok()` holds; rejects after `timeoutMs`, naming `what`. */
export async function until(what: string, ok: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!ok()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}
