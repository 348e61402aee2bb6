/**
 * The message of anything thrown: an Error's `message`, anything else as a string. For log lines and
 * notifications; branching on the text is never right (docs/ARCHITECTURE.md §14).
 */
export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
