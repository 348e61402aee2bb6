import type { TreeNode } from '../../core/eventTreeModel';
import type { ObjectRef } from '../../core/events/kubeEvent';

/** An item command's argument is a tree row when invoked from the Events view, anything else otherwise. */
function isTreeNode(arg: unknown): arg is TreeNode {
  const k = (arg as { kind?: unknown } | undefined)?.kind;
  return k === 'object' || k === 'event' || k === 'group';
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
