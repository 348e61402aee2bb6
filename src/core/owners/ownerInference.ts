/**
 * Owner links read from what events say, for objects that can no longer be read: a scaled-down Deployment's
 * Pods answer 404, but the ReplicaSet that created them said so in its own events, and their names carry its
 * name. The {@link OwnerGraph} uses these only where a GET of the object cannot answer; a successful GET always
 * replaces them. Each inference states below why it is safe; anything not listed is not inferred.
 *
 * Event text is untrusted: anyone allowed to create an Event could claim a link. The damage is bounded to
 * `under:` placing events about an object that no longer exists under the claimed owner, so the rules only
 * accept the exact wording and reporting component of the controllers that write these events
 * (kube-controller-manager v1.34 `pkg/controller`), and names that are valid object names.
 */
import { DNS1123_SUBDOMAIN_MAX_LENGTH } from '../events/eventValidation';
import type { KubeEvent, ObjectKeyWith } from '../events/kubeEvent';
import type { OwnerReference } from './ownerGraph';

/** An owned object named by an event or by its own name; always in its owner's namespace. */
export interface InferredLink {
  readonly child: ObjectKeyWith<'apiVersion'>;
  /** The controller that created (or deleted) the child: the event's involved object. */
  readonly owner: OwnerReference;
}

/** A DNS-1123 subdomain, the form of Pod and Job names (at most 253 characters). */
const OBJECT_NAME = '[a-z0-9](?:[-a-z0-9.]{0,251}[a-z0-9])?';

interface CreatorRule {
  /** The involved object's kind; its apiVersion is taken from the event. */
  readonly ownerKind: string;
  /** `source.component` / `reportingController` of the controller's recorder. */
  readonly component: string;
  readonly childKind: string;
  readonly childApiVersion: string;
  /** Captures the child's name in group 1 (and, for StatefulSets, the set's own name in group 2). */
  readonly message: RegExp;
}

/**
 * The controllers that name the objects they create and delete in SuccessfulCreate / SuccessfulDelete events.
 * Safe because each of them only creates children with itself as the controller ownerReference
 * (`controller.RealPodControl.CreatePods` sets the controllerRef; the CronJob controller sets it on its Jobs), in
 * its own namespace, and only deletes children it has claimed (ControllerRefManager), so "Created pod: X" /
 * "Deleted pod: X" about controller C means X's controller was C.
 */
const CREATOR_RULES: readonly CreatorRule[] = [
  // pkg/controller/controller_utils.go: "Created pod: %v" / "Deleted pod: %v", via RealPodControl.
  ...[
    ['ReplicaSet', 'replicaset-controller'],
    ['ReplicationController', 'replication-controller'],
    ['Job', 'job-controller'],
    ['DaemonSet', 'daemonset-controller'],
  ].map(([ownerKind, component]) => ({
    ownerKind,
    component,
    childKind: 'Pod',
    childApiVersion: 'v1',
    message: new RegExp(`^(?:Created|Deleted) pod: (${OBJECT_NAME})$`),
  })),
  // pkg/controller/statefulset/stateful_pod_control.go: "%s Pod %s in StatefulSet %s successful" (create/delete).
  {
    ownerKind: 'StatefulSet',
    component: 'statefulset-controller',
    childKind: 'Pod',
    childApiVersion: 'v1',
    message: new RegExp(`^(?:create|delete) Pod (${OBJECT_NAME}) in StatefulSet (${OBJECT_NAME}) successful$`),
  },
  // pkg/controller/cronjob/cronjob_controllerv2.go: "Created job %v" / "Deleted job %v".
  {
    ownerKind: 'CronJob',
    component: 'cronjob-controller',
    childKind: 'Job',
    childApiVersion: 'batch/v1',
    message: new RegExp(`^(?:Created|Deleted) job (${OBJECT_NAME})$`),
  },
];

const CREATOR_REASONS: ReadonlySet<string> = new Set(['SuccessfulCreate', 'SuccessfulDelete']);

/**
 * The link a controller's SuccessfulCreate / SuccessfulDelete event states, or undefined. Requires the event's
 * reason, reporting component, involved kind and exact message wording of one of the rules above, an involved
 * object with a namespace and a uid (the owner reference must name the object, not only a name that could be
 * reused), and for StatefulSets the set's name in the message equal to the involved object's.
 */
export function linkFromEvent(e: Pick<KubeEvent, 'reason' | 'message' | 'reportingController' | 'regarding'>): InferredLink | undefined {
  if (!CREATOR_REASONS.has(e.reason)) return undefined;
  const owner = e.regarding;
  if (!owner.namespace || !owner.name || !owner.uid) return undefined;
  const rule = CREATOR_RULES.find((r) => r.ownerKind === owner.kind && r.component === e.reportingController);
  if (!rule) return undefined;
  const m = rule.message.exec(e.message);
  if (!m || m[1].length > DNS1123_SUBDOMAIN_MAX_LENGTH) return undefined;
  if (m[2] !== undefined && m[2] !== owner.name) return undefined;
  return {
    child: { apiVersion: rule.childApiVersion, kind: rule.childKind, namespace: owner.namespace, name: m[1] },
    owner: { apiVersion: owner.apiVersion, kind: owner.kind, name: owner.name, uid: owner.uid, controller: true },
  };
}

/** The characters the apiserver's name generator appends (k8s.io/apimachinery/pkg/util/rand `alphanums`). */
const GENERATED_SUFFIX = /^(.+)-[bcdfghjklmnpqrstvwxz2456789]{5}$/;
/** The generator truncates `generateName` to 58 characters before appending 5 (apiserver storage/names). */
const MAX_GENERATE_NAME = 58;

/**
 * The ReplicaSet name a Pod's generated name carries: the ReplicaSet controller creates its Pods with
 * `generateName: "<replicaset>-"`, and the apiserver appends 5 characters from a fixed alphabet. Returns
 * undefined when the name does not have that shape, or when the prefix could have been truncated (then the
 * ReplicaSet's full name is not in the Pod's). A shape match alone proves nothing (anyone may name a Pod
 * `web-7c9d8f6b5-abcde`): the caller uses it only for a Pod that no longer exists, whose owner nothing else
 * tells, and only when a ReplicaSet of exactly that name is known in the Pod's namespace.
 */
export function replicaSetOfPodName(podName: string): string | undefined {
  const m = GENERATED_SUFFIX.exec(podName);
  if (!m) return undefined;
  const prefix = m[1];
  return prefix.length + 1 <= MAX_GENERATE_NAME ? prefix : undefined;
}
