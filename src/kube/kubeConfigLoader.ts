import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fail, ok, type Result } from '../core/result';
import { KubeClient, type KubeAuth } from './kubeClient';
import { errorMessage } from '../core/text/errorMessage';
import { clientNodeBundle, yamlBundle } from './lazy';
import type { KubeconfigText } from './lazy/clientNode';

export type KubeconfigProblem = 'noKubeconfig' | 'badKubeconfig' | 'noContext' | 'noCluster';

/** Where the kubeconfig comes from: an explicit path (setting), else KUBECONFIG, else ~/.kube/config. */
export interface KubeconfigSource {
  /** One file or a path-delimiter separated list; empty means KUBECONFIG, then ~/.kube/config. */
  readonly path?: string;
  /** A context name; empty means the kubeconfig's current-context. */
  readonly context?: string;
  /** Environment to read KUBECONFIG and HOME from (defaults to process.env). */
  readonly env?: NodeJS.ProcessEnv;
}

export interface LoadedKubeconfig {
  readonly files: readonly string[];
  readonly contexts: ReadonlyArray<{ name: string; cluster: string; user: string; namespace: string }>;
  readonly currentContext: string;
  /** The default namespace of the chosen context ('' when it names none). */
  readonly namespace: string;
  readonly server: string;
  readonly client: KubeClient;
}

/** The files a source names, in order, as kubectl resolves them. */
export function kubeconfigFiles(source: KubeconfigSource): string[] {
  const env = source.env ?? process.env;
  const list = source.path?.trim() || env.KUBECONFIG?.trim() || '';
  if (list) return list.split(path.delimiter).filter(Boolean).map((p) => expandHome(p, env));
  return [path.join(env.HOME || os.homedir(), '.kube', 'config')];
}

function expandHome(p: string, env: NodeJS.ProcessEnv): string {
  return p === '~' || p.startsWith('~/') ? path.join(env.HOME || os.homedir(), p.slice(1)) : p;
}

/** The first line of a parser's message: what and where (the lines after it quote the file, which may hold secrets). */
function firstLine(err: unknown): string {
  return (errorMessage(err).trim().split('\n')[0] ?? '').replace(/:$/, '');
}

interface KubeconfigCluster {
  readonly name: string;
  readonly server: string;
  readonly proxied: boolean;
}

interface KubeconfigContext {
  readonly name: string;
  readonly cluster: string;
  readonly user: string;
  readonly namespace: string;
}

/** The files merged: what the status bar, the quick picks and the production guard read, and the texts for credentials. */
interface MergedKubeconfig {
  readonly texts: readonly KubeconfigText[];
  readonly clusters: ReadonlyMap<string, KubeconfigCluster>;
  readonly users: ReadonlySet<string>;
  readonly contexts: readonly KubeconfigContext[];
  readonly current: string;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const text = (v: unknown): string => (typeof v === 'string' ? v : '');
/** A name as YAML may write it (`name: 1` is a number). */
const nameOf = (v: unknown): string => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '');

/** Throws what is missing, in client-node's words, as client-node does for the same file. */
function entries(doc: Record<string, unknown>, list: 'clusters' | 'users' | 'contexts', inner: 'cluster' | 'user' | 'context'): Array<{ name: string; body: Record<string, unknown> }> {
  const items = doc[list];
  if (!Array.isArray(items)) return [];
  return items.map((item: unknown, i) => {
    const o = isRecord(item) ? item : {};
    const name = nameOf(o.name);
    if (!name) throw new Error(`${list}[${i}].name is missing`);
    const body = o[inner];
    if (inner !== 'user' && !body) throw new Error(`${list}[${i}].${inner} is missing`);
    return { name, body: isRecord(body) ? body : {} };
  });
}

/** One file's clusters, users' names and contexts, checked as client-node checks them (it reads the same text later). */
function parseFile(textOfFile: string): { clusters: KubeconfigCluster[]; users: string[]; contexts: KubeconfigContext[]; current: string } {
  const doc = yamlBundle().parseYaml(textOfFile);
  if (!isRecord(doc)) throw new Error('it is not a YAML mapping of clusters, users and contexts');
  const clusters = entries(doc, 'clusters', 'cluster').map(({ name, body }, i) => {
    const server = body.server;
    if (!server) throw new Error(`clusters[${i}].cluster.server is missing`);
    if (typeof server !== 'string') throw new Error(`clusters[${i}].cluster.server is not a string`);
    return { name, server: server.replace(/\/$/, ''), proxied: !!body['proxy-url'] };
  });
  const users = entries(doc, 'users', 'user').map(({ name }) => name);
  const contexts = entries(doc, 'contexts', 'context').map(({ name, body }, i) => {
    const cluster = nameOf(body.cluster);
    if (!cluster) throw new Error(`contexts[${i}].context.cluster is missing`);
    return { name, cluster, user: nameOf(body.user), namespace: text(body.namespace) };
  });
  return { clusters, users, contexts, current: text(doc['current-context']) };
}

function read(files: readonly string[]): Result<MergedKubeconfig, KubeconfigProblem> {
  const existing = files.filter((f) => fs.existsSync(f));
  if (existing.length === 0) {
    return fail('noKubeconfig', `No kubeconfig found (looked for ${files.join(', ')}).`);
  }
  // Merge like kubectl: the first file that defines a name wins (client-node throws on duplicates instead).
  const texts: KubeconfigText[] = [];
  const clusters = new Map<string, KubeconfigCluster>();
  const users = new Set<string>();
  const contexts = new Map<string, KubeconfigContext>();
  let current = '';
  for (const file of existing) {
    let parsed: ReturnType<typeof parseFile>;
    try {
      const textOfFile = fs.readFileSync(file, 'utf8');
      parsed = parseFile(textOfFile);
      texts.push({ file, text: textOfFile });
    } catch (err) {
      return fail('badKubeconfig', `The kubeconfig ${file} cannot be read: ${firstLine(err)}.`);
    }
    for (const c of parsed.clusters) if (!clusters.has(c.name)) clusters.set(c.name, c);
    for (const u of parsed.users) users.add(u);
    for (const c of parsed.contexts) if (!contexts.has(c.name)) contexts.set(c.name, c);
    current ||= parsed.current;
  }
  return ok({ texts, clusters, users, contexts: [...contexts.values()], current });
}

/**
 * Loads the kubeconfig and picks a context. Every failure is a {@link Result} whose message says what is
 * wrong (the host adds what to do, by reason: src/host/errorText.ts); nothing here throws for bad input.
 * It reads the files with the YAML parser alone: @kubernetes/client-node is loaded for the credentials, by the
 * client's first request (docs/ARCHITECTURE.md §2).
 */
export function loadKubeconfig(source: KubeconfigSource): Result<LoadedKubeconfig, KubeconfigProblem> {
  const files = kubeconfigFiles(source);
  const loaded = read(files);
  if (!loaded.ok) return loaded;
  const kc = loaded.value;
  const contexts = kc.contexts.map((c) => ({ name: c.name, cluster: c.cluster, user: c.user, namespace: c.namespace }));
  if (contexts.length === 0) return fail('noContext', `The kubeconfig (${files.join(', ')}) defines no contexts.`);
  const wanted = source.context?.trim() || kc.current;
  if (!wanted) return fail('noContext', 'The kubeconfig has no current-context.');
  const context = contexts.find((c) => c.name === wanted);
  if (!context) return fail('noContext', `Context "${wanted}" is not in the kubeconfig (${contexts.map((c) => c.name).join(', ')}).`);
  const cluster = kc.clusters.get(context.cluster);
  if (!cluster?.server) return fail('noCluster', `Context "${wanted}" names cluster "${context.cluster}", which is missing or has no server address.`);
  // The texts just read give the first credentials; later ones (after a 401) read the files again, as kubectl
  // would, and keep the last good texts when the files cannot be read now.
  let texts = kc.texts;
  let fresh = true;
  const credentials = (): KubeAuth => {
    if (!fresh) {
      const again = read(files);
      if (again.ok) texts = again.value.texts;
    }
    fresh = false;
    return clientNodeBundle().credentialsFor(texts, wanted);
  };
  return ok({
    files,
    contexts,
    currentContext: wanted,
    namespace: context.namespace,
    server: cluster.server,
    // The user's name as client-node gives it: '' when the context names a user the kubeconfig does not define.
    client: new KubeClient({ server: cluster.server, context: wanted, user: kc.users.has(context.user) ? context.user : '', proxied: cluster.proxied }, credentials),
  });
}
