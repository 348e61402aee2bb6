import { quoteArg, UNPRINTABLE, type ShellKind } from './shellQuote';

/**
 * What a `kubectl events` line is built from. Every field but `context` comes from an event, which anyone
 * allowed to create Events writes as they like: the apiserver does not validate a core/v1 event's
 * `involvedObject.kind` or `name`.
 */
export interface KubectlEventsTarget {
  /** The kubeconfig context; '' leaves `--context` out. */
  readonly context: string;
  /** The namespace the events live in. */
  readonly namespace: string;
  readonly kind: string;
  /** The object's apiVersion ('' when unknown); only its group is read. */
  readonly apiVersion: string;
  readonly name: string;
}

/** A line to copy (with what was left out of it, and why), or why nothing can be copied. */
export type KubectlEventsLine =
  | { readonly ok: true; readonly line: string; readonly contextLeftOut?: string }
  | { readonly ok: false; readonly problem: string };

/** A namespace is a DNS-1123 label (apimachinery's ValidateNamespaceName). */
const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
/** Most objects' names are DNS-1123 subdomains (apimachinery's NameIsDNSSubdomain). */
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
/**
 * A kind is a Go type name; a CustomResourceDefinition's kind must be a DNS-1035 label once lower-cased
 * (apiextensions' validation), so letters, digits and `-`, starting with a letter.
 */
const KIND = /^[A-Za-z]([-A-Za-z0-9]*[A-Za-z0-9])?$/;
/**
 * RBAC objects' names are only path segments (rbac's ValidateRBACName: anything but `/`, `%`, `.` and `..`),
 * and are commonly `system:…`. Of those, the line takes letters, digits, `.`, `-`, `_`, `:` and `@`.
 */
const PATH_SEGMENT_KINDS = new Set(['Role', 'ClusterRole', 'RoleBinding', 'ClusterRoleBinding']);
const RBAC_GROUP = 'rbac.authorization.k8s.io';
const SAFE_PATH_SEGMENT = /^[A-Za-z0-9._:@-]+$/;
/**
 * Context names in a kubeconfig can hold anything. The line takes those of letters and digits (any script)
 * and ` ._:@/+=,~#-`, which covers EKS ARNs, GKE and OpenShift names and `user@cluster`; quoted, none of these
 * is syntax in any of the three shells, so even a line pasted into another shell than the one it was quoted
 * for runs nothing else.
 */
const SAFE_CONTEXT = /^[\p{L}\p{N} ._:@/+=,~#-]+$/u;

const MAX_LABEL = 63;
const MAX_SUBDOMAIN = 253;

/**
 * Builds `kubectl events --context C -n NS --for KIND/NAME --watch` for `shell`, from values in Kubernetes' own
 * character sets only. `kubectl events --for` takes exactly `TYPE/NAME`, maps TYPE through discovery and
 * selects `involvedObject.kind`, `.apiVersion` and `.name`, so a name with `/` cannot be asked for at all. A
 * context outside {@link SAFE_CONTEXT} is left out (kubectl then uses the kubeconfig's current context), and
 * said; a kind, name or namespace outside its set copies nothing, and says why. No line ever holds an
 * unprintable character.
 */
export function kubectlEventsCommand(target: KubectlEventsTarget, shell: ShellKind): KubectlEventsLine {
  const { context, namespace, kind, apiVersion, name } = target;
  const object = `${visible(kind)}/${visible(name)}`;
  if (!KIND.test(kind) || kind.length > MAX_LABEL) {
    return refuse(`the object ${object} has a kind, "${visible(kind)}", that is not a Kubernetes kind (letters, digits and '-', starting with a letter)`);
  }
  const group = apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.indexOf('/')) : '';
  const pathSegment = PATH_SEGMENT_KINDS.has(kind) && (group === RBAC_GROUP || apiVersion === '');
  if (name.includes('/')) return refuse(`the object ${object} has a '/' in its name, which kubectl events --for cannot take`);
  if (pathSegment ? !SAFE_PATH_SEGMENT.test(name) || name === '.' || name === '..' : !DNS1123_SUBDOMAIN.test(name) || name.length > MAX_SUBDOMAIN) {
    const rule = pathSegment
      ? `a ${kind} name of letters, digits, '.', '-', '_', ':' and '@'`
      : `a valid ${kind} name (a DNS-1123 subdomain: lower-case letters, digits, '-' and '.')`;
    return refuse(`the object ${object} has a name that is not ${rule}`);
  }
  if (!DNS1123_LABEL.test(namespace) || namespace.length > MAX_LABEL) {
    return refuse(`"${visible(namespace)}" is not a namespace name (a DNS-1123 label)`);
  }
  let contextLeftOut: string | undefined;
  let contextArg = '';
  if (context) {
    const quoted = SAFE_CONTEXT.test(context) ? quoteArg(shell, context) : undefined;
    if (quoted === undefined) contextLeftOut = `the context name ${JSON.stringify(visible(context))} holds characters a shell could run or change`;
    else contextArg = ` --context ${quoted}`;
  }
  // Kind, name and namespace are in sets no shell treats specially; quoteArg still quotes `:` and `@` where needed.
  const line = `kubectl events${contextArg} -n ${quoteArg(shell, namespace)} --for ${quoteArg(shell, `${kind}/${name}`)} --watch`;
  if (UNPRINTABLE.test(line)) return refuse('the line would hold an unprintable character'); // unreachable by the sets above; kept as the last word
  return contextLeftOut ? { ok: true, line, contextLeftOut } : { ok: true, line };
}

function refuse(problem: string): KubectlEventsLine {
  return { ok: false, problem };
}

/** Text from the cluster made fit for a message: unprintable characters as U+XXXX, cut at 80 characters. */
function visible(text: string): string {
  const shown = text.replace(new RegExp(UNPRINTABLE.source, 'gu'), (c) => `<U+${(c.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}>`);
  return shown.length > 80 ? `${shown.slice(0, 79)}…` : shown;
}
