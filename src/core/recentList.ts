/**
 * A most-recent-first list of earlier answers (filters, event reasons), as the prompts offer them: `value`
 * first, any earlier copy of it dropped, at most `limit` entries. Returns a new array; `list` is left alone.
 */
export function addRecent(list: readonly string[], value: string, limit: number): string[] {
  return [value, ...list.filter((v) => v !== value)].slice(0, Math.max(0, limit));
}
