/**
 * Expected failures (no kubeconfig, RBAC forbidden, bad query…) are values, not exceptions. `reason` is a
 * stable code to branch on; `message` is plain words for the user, saying what is wrong and what to do.
 */
export type Result<T, R extends string = string> = { readonly ok: true; readonly value: T } | Failure<R>;

export interface Failure<R extends string = string> {
  readonly ok: false;
  readonly reason: R;
  readonly message: string;
}

export function ok<T>(value: T): { readonly ok: true; readonly value: T } {
  return { ok: true, value };
}

export function fail<R extends string>(reason: R, message: string): Failure<R> {
  return { ok: false, reason, message };
}
