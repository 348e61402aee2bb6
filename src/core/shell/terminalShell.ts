import type { ShellKind } from './shellQuote';

/** A terminal profile as `terminal.integrated.profiles.<os>` declares one (only what tells the shell). */
interface ProfileShape {
  readonly path?: unknown;
  readonly source?: unknown;
}

/** The shell a program path or profile name stands for, when it tells. */
function shellOfName(text: string): ShellKind | undefined {
  const base = (text.split(/[\\/]/).pop() ?? '').toLowerCase().replace(/\.exe$/, '');
  if (/^(pwsh|powershell)(-preview)?$/.test(base) || /powershell|pwsh/.test(text.toLowerCase())) return 'powershell';
  if (base === 'cmd' || /^command prompt$/i.test(text)) return 'cmd';
  if (/^(bash|sh|zsh|dash|ksh|fish|wsl|git-bash|busybox)$/.test(base) || /git bash|wsl|ubuntu|debian|bash/i.test(text)) return 'posix';
  return undefined;
}

/**
 * The shell VS Code's integrated terminal opens by default, from `terminal.integrated.defaultProfile.<os>` and
 * `terminal.integrated.profiles.<os>`: a profile's `source` (`PowerShell`, `Git Bash`) or `path` (a string or a
 * list of candidates) tells, else its name. Without a default profile, VS Code opens PowerShell on Windows
 * and the user's login shell (POSIX) elsewhere; a shell that cannot be told is taken as that default.
 */
export function terminalShell(platform: string, defaultProfile: unknown, profiles: unknown): ShellKind {
  const fallback: ShellKind = platform === 'win32' ? 'powershell' : 'posix';
  if (typeof defaultProfile !== 'string' || defaultProfile === '') return fallback;
  const profile = typeof profiles === 'object' && profiles !== null ? ((profiles as Record<string, unknown>)[defaultProfile] as ProfileShape | null | undefined) : undefined;
  if (profile && typeof profile === 'object') {
    if (typeof profile.source === 'string') return shellOfName(profile.source) ?? fallback;
    const paths = Array.isArray(profile.path) ? profile.path : [profile.path];
    const first = paths.find((p): p is string => typeof p === 'string' && p !== '');
    if (first) return shellOfName(first) ?? fallback;
  }
  return shellOfName(defaultProfile) ?? fallback;
}
