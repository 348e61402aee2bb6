/**
 * Reads the test apiserver's audit log (ControlPlane.auditLogPath): what the server saw, judged from its
 * side rather than by our own code. One JSON object per line, audit.k8s.io/v1 Event.
 */
import * as fs from 'node:fs';

/** The fields of an audit.k8s.io/v1 Event the tests look at. */
export interface AuditEntry {
  readonly stage: string;
  readonly verb: string;
  readonly requestURI: string;
  readonly userAgent?: string;
  readonly user: { readonly username: string };
  readonly objectRef?: { readonly resource?: string; readonly namespace?: string; readonly name?: string; readonly apiGroup?: string };
  readonly responseStatus?: { readonly code?: number };
  readonly responseObject?: { readonly kind?: string; readonly apiVersion?: string };
  readonly requestReceivedTimestamp: string;
}

/** Every entry written so far (the log may hold a partly written last line: it is skipped). */
export function readAudit(auditLogPath: string): AuditEntry[] {
  let text: string;
  try {
    text = fs.readFileSync(auditLogPath, 'utf8');
  } catch {
    return [];
  }
  const entries: AuditEntry[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    try {
      entries.push(JSON.parse(line) as AuditEntry);
    } catch {
      // The apiserver may be mid-write on the last line.
    }
  }
  return entries;
}

/** Entries sent by a client whose User-Agent starts with `agentPrefix` at or after `since`. */
export function auditFrom(auditLogPath: string, agentPrefix: string, since: Date): AuditEntry[] {
  return readAudit(auditLogPath).filter((e) => (e.userAgent ?? '').startsWith(agentPrefix) && new Date(e.requestReceivedTimestamp) >= since);
}
