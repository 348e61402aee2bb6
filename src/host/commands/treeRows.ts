import type { TreeNode } from '../../core/eventTreeModel';
import type { ObjectRef } from '../../core/events/kubeEvent';

/** An item command's argument is a tree row when invoked from the Events view, anything else otherwise. */
function isTreeNode(arg: unknown): arg is TreeNode {
  const k = (arg as { kind?: unknown } | undefined)?.kind;
  return k === 'object' || k === 'event' || k === 'group' || k === 'cluster';
}

/** The cluster a tree row's events came from (`KubeEvent.cluster`), when the row says. */
export function clusterOfRow(arg: unknown): string | undefined {
  if (!isTreeNode(arg)) return undefined;
  if (arg.kind === 'cluster') return arg.label;
  if (arg.kind === 'event') return arg.event.cluster;
  if (arg.kind === 'object') return arg.events.first?.event.cluster;
  return arg.parent?.label;
}

/** The involved object a tree row stands for (an event row means its object). */
export function refOfRow(arg: unknown): ObjectRef | undefined {
  if (!isTreeNode(arg)) return undefined;
  if (arg.kind === 'object') return arg.ref;
  if (arg.kind === 'event') return arg.event.regarding;
  return undefined;
}

/** The namespace the row's events live in (an object row's events all share one). */
export function eventsNamespaceOfRow(arg: unknown): string {
  if (!isTreeNode(arg)) return '';
  if (arg.kind === 'event') return arg.event.namespace;
  if (arg.kind === 'object') return arg.events.first?.event.namespace ?? '';
  return '';
}
