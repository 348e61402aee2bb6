/**
 * Local validation of an event before it is sent, against the limits kube-apiserver applies
 * (kubernetes: pkg/apis/core/validation/events.go, apimachinery: pkg/util/validation). Lengths the server
 * checks with Go's `len()` are UTF-8 byte lengths, so they are measured in bytes here too.
 */
import type { EventApi, PartialObjectRef } from './kubeEvent';
import { ok, type Failure } from '../result';

/** The API an event is written through: core/v1 like `record.EventRecorder`, events.k8s.io/v1 like `events.EventRecorder`. */
export type EventFlavour = EventApi;

/** kubernetes `ReasonLengthLimit`. */
export const REASON_LENGTH_LIMIT = 128;
/** kubernetes `ActionLengthLimit`. */
export const ACTION_LENGTH_LIMIT = 128;
/** kubernetes `ReportingInstanceLengthLimit`. */
export const REPORTING_INSTANCE_LENGTH_LIMIT = 128;
/** kubernetes `NoteLengthLimit` (bytes), applied to events.k8s.io/v1 `note`. */
export const NOTE_LENGTH_LIMIT = 1024;
/** apimachinery `qualifiedNameMaxLength`: the name part of a qualified name. */
export const QUALIFIED_NAME_MAX_LENGTH = 63;
/** apimachinery `DNS1123SubdomainMaxLength`. */
export const DNS1123_SUBDOMAIN_MAX_LENGTH = 253;

/** The only event types the apiserver (events.k8s.io/v1) and client-go's `ValidateEventType` accept. */
export const EVENT_TYPES: readonly string[] = ['Normal', 'Warning'];

const DNS1123_LABEL = '[a-z0-9]([-a-z0-9]*[a-z0-9])?';
const DNS1123_SUBDOMAIN_RE = new RegExp(`^${DNS1123_LABEL}(\\.${DNS1123_LABEL})*$`);
const QUALIFIED_NAME_RE = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const UPPER_CAMEL_RE = /^[A-Z][A-Za-z0-9]*$/;

const encoder = new TextEncoder();

/** The UTF-8 byte length of a string: what Go's `len()` measures on the server. */
export function utf8Length(s: string): number {
  return encoder.encode(s).length;
}

/** Why a DNS-1123 subdomain is invalid (empty list when valid), e.g. for a namespace or an event name. */
function dns1123SubdomainProblems(value: string): string[] {
  const problems: string[] = [];
  if (value.length > DNS1123_SUBDOMAIN_MAX_LENGTH) problems.push(`must be no more than ${DNS1123_SUBDOMAIN_MAX_LENGTH} characters`);
  if (!DNS1123_SUBDOMAIN_RE.test(value)) {
    problems.push("must consist of lower case letters, digits, '-' or '.', and start and end with a letter or digit (e.g. 'example.com')");
  }
  return problems;
}

export function isDns1123Subdomain(value: string): boolean {
  return dns1123SubdomainProblems(value).length === 0;
}

/**
 * Why a value is not a Kubernetes qualified name (empty list when it is): an optional DNS-1123 subdomain
 * prefix and `/`, then a name of at most 63 letters, digits, `-`, `_` or `.`, starting and ending with a
 * letter or digit. `kube-events-vscode` and `example.com/ctrl` are qualified names.
 */
export function qualifiedNameProblems(value: string): string[] {
  const parts = value.split('/');
  const problems: string[] = [];
  let name: string;
  if (parts.length === 1) {
    name = parts[0]!;
  } else if (parts.length === 2) {
    const prefix = parts[0];
    name = parts[1]!;
    if (prefix === '') problems.push('the prefix before "/" must not be empty');
    else for (const p of dns1123SubdomainProblems(prefix)) problems.push(`the prefix before "/" ${p}`);
  } else {
    return ["must be a name with at most one '/', optionally prefixed by a DNS subdomain (e.g. 'example.com/my-controller')"];
  }
  if (name === '') problems.push('the name part must not be empty');
  else if (name.length > QUALIFIED_NAME_MAX_LENGTH) problems.push(`the name part must be no more than ${QUALIFIED_NAME_MAX_LENGTH} characters (it has ${name.length})`);
  if (name !== '' && !QUALIFIED_NAME_RE.test(name)) {
    problems.push("the name part must consist of letters, digits, '-', '_' or '.', and start and end with a letter or digit");
  }
  return problems;
}

export function isQualifiedName(value: string): boolean {
  return qualifiedNameProblems(value).length === 0;
}

/**
 * A soft check: event reasons are UpperCamelCase by convention (`FailedScheduling`, `BackOff`). Returns a
 * warning to show the user, or undefined when the reason follows the convention. Never blocks sending.
 */
export function reasonHint(reason: string): string | undefined {
  if (reason === '' || UPPER_CAMEL_RE.test(reason)) return undefined;
  const suggestion = reason
    .split(/[^A-Za-z0-9]+/)
    .filter((w) => w !== '')
    .map((w) => w[0].toUpperCase() + w.slice(1))
    .join('');
  return `reason "${reason}" is not UpperCamelCase, the convention for event reasons (like "FailedScheduling")${suggestion && suggestion !== reason ? `; for example "${suggestion}"` : ''}`;
}

/** The fields of an event that the apiserver validates, in flavour-neutral names. Built by the Recorder. */
export interface EventDraft {
  readonly flavour: EventFlavour;
  /** The event's own namespace (metadata.namespace). */
  readonly namespace: string;
  /** metadata.name, when already known. */
  readonly name?: string;
  readonly type: string;
  readonly reason: string;
  /** Required for events.k8s.io/v1. */
  readonly action?: string;
  /** core/v1 `message`, events.k8s.io/v1 `note`. */
  readonly message: string;
  readonly reportingController: string;
  readonly reportingInstance: string;
  /** core/v1 `involvedObject`, events.k8s.io/v1 `regarding`. */
  readonly regarding: Pick<PartialObjectRef, 'kind' | 'name' | 'namespace'>;
}

/** One reason a draft would be refused; `field` uses the API's own field name for the flavour. */
export interface ValidationProblem {
  readonly field: string;
  readonly message: string;
  /** The limit that was exceeded, when a limit was. */
  readonly limit?: number;
}

/** Returned when a draft would be refused: every problem, and one message naming each field and limit. */
export interface EventValidationFailure extends Failure<'invalid-event'> {
  readonly problems: readonly ValidationProblem[];
}

/** A draft that passed, with soft warnings (conventions) to show but not enforce. */
export interface EventValidation {
  readonly warnings: readonly string[];
}

/** A {@link Result} whose failure carries the list of problems. */
export type EventValidationResult = { readonly ok: true; readonly value: EventValidation } | EventValidationFailure;

function tooLong(field: string, what: string, value: string, limit: number): ValidationProblem | undefined {
  const bytes = utf8Length(value);
  if (bytes <= limit) return undefined;
  const chars = [...value].length;
  const size = chars === bytes ? `${bytes} characters` : `${bytes} bytes in UTF-8 (${chars} characters)`;
  return { field, limit, message: `${field} is ${size}; the apiserver allows at most ${limit} bytes for ${what}` };
}

/**
 * Checks a draft against what kube-apiserver will refuse for its flavour, so nothing invalid is sent.
 * - Both: `type` is Normal or Warning (client-go's ValidateEventType; the server for events.k8s.io/v1);
 *   `reason` is required and at most 128 bytes; `reportingController` is a qualified name; `reportingInstance`
 *   at most 128 bytes; `action`, when given, at most 128 bytes; the namespace is a DNS-1123 subdomain.
 *   (For core/v1 events without eventTime the server skips the reason, controller and instance checks; we
 *   apply them anyway so every event we emit is valid whichever API reads it.)
 * - core/v1: the event namespace equals involvedObject.namespace, or, for an object without namespace, is
 *   `default`. `message` has no length limit in validation.
 * - events.k8s.io/v1: `action` and `reportingInstance` required, `note` at most 1024 bytes, and an object
 *   without namespace is reported from `default` or `kube-system`.
 */
export function validateEvent(draft: EventDraft): EventValidationResult {
  const v1 = draft.flavour === 'events.k8s.io/v1';
  const problems: ValidationProblem[] = [];
  const add = (p: ValidationProblem | undefined): void => {
    if (p) problems.push(p);
  };
  const regardingField = v1 ? 'regarding' : 'involvedObject';
  const controllerField = v1 ? 'reportingController' : 'reportingComponent';

  if (!EVENT_TYPES.includes(draft.type)) {
    add({ field: 'type', message: `type must be "Normal" or "Warning", not ${draft.type === '' ? 'empty' : `"${draft.type}"`}` });
  }

  if (draft.reason === '') add({ field: 'reason', message: 'reason is required (a short UpperCamelCase word, like "BackOff")' });
  else add(tooLong('reason', 'an event reason (ReasonLengthLimit)', draft.reason, REASON_LENGTH_LIMIT));

  const action = draft.action ?? '';
  if (v1 && action === '') add({ field: 'action', message: 'action is required for events.k8s.io/v1 (what was done or failed, like "Scheduling")' });
  else add(tooLong('action', 'an event action (ActionLengthLimit)', action, ACTION_LENGTH_LIMIT));

  if (v1) add(tooLong('note', 'an events.k8s.io/v1 note (NoteLengthLimit)', draft.message, NOTE_LENGTH_LIMIT));

  if (draft.reportingController === '') {
    if (v1) add({ field: controllerField, message: `${controllerField} is required for events.k8s.io/v1` });
  } else {
    const qn = qualifiedNameProblems(draft.reportingController);
    if (qn.length > 0) {
      add({
        field: controllerField,
        limit: QUALIFIED_NAME_MAX_LENGTH,
        message: `${controllerField} "${draft.reportingController}" is not a qualified name (like "kube-events-vscode" or "example.com/my-controller"): ${qn.join('; ')}`,
      });
    }
  }

  if (draft.reportingInstance === '') {
    if (v1) add({ field: 'reportingInstance', message: 'reportingInstance is required for events.k8s.io/v1' });
  } else {
    add(tooLong('reportingInstance', 'a reporting instance (ReportingInstanceLengthLimit)', draft.reportingInstance, REPORTING_INSTANCE_LENGTH_LIMIT));
  }

  if (draft.regarding.name === '') add({ field: `${regardingField}.name`, message: `${regardingField}.name is required: the event must be about a named object` });
  if (draft.regarding.kind === '') add({ field: `${regardingField}.kind`, message: `${regardingField}.kind is required` });

  const objectNs = draft.regarding.namespace ?? '';
  if (draft.namespace === '') {
    add({ field: 'metadata.namespace', message: 'the event needs a namespace (objects without one are reported from "default")' });
  } else {
    const nsProblems = dns1123SubdomainProblems(draft.namespace);
    if (nsProblems.length > 0) add({ field: 'metadata.namespace', message: `namespace "${draft.namespace}" ${nsProblems.join('; ')}` });
  }
  if (draft.namespace !== '') {
    if (!v1) {
      if (objectNs === '' ? draft.namespace !== 'default' : draft.namespace !== objectNs) {
        add({
          field: 'involvedObject.namespace',
          message:
            objectNs === ''
              ? `a core/v1 event about an object without namespace (cluster-scoped) must be in namespace "default", not "${draft.namespace}"`
              : `a core/v1 event must be in its object's namespace "${objectNs}", not "${draft.namespace}"`,
        });
      }
    } else if (objectNs === '' && draft.namespace !== 'default' && draft.namespace !== 'kube-system') {
      add({
        field: 'regarding.namespace',
        message: `an events.k8s.io/v1 event about an object without namespace (cluster-scoped) must be in "default" or "kube-system", not "${draft.namespace}"`,
      });
    }
  }

  if (draft.name !== undefined) {
    const nameProblems = dns1123SubdomainProblems(draft.name);
    if (nameProblems.length > 0) add({ field: 'metadata.name', message: `event name "${draft.name}" ${nameProblems.join('; ')}` });
  }

  if (problems.length > 0) {
    const failure: EventValidationFailure = {
      ok: false,
      reason: 'invalid-event',
      message: `Not sent: the apiserver would refuse this ${draft.flavour} event. ${problems.map((p) => p.message).join('. ')}.`,
      problems,
    };
    return failure;
  }
  const hint = reasonHint(draft.reason);
  return ok({ warnings: hint ? [hint] : [] });
}
