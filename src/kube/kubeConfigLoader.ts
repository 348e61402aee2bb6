import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { fail, ok, type Result } from '../core/result';
import { KubeClient } from './kubeClient';
import { errorMessage } from '../core/text/errorMessage';

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

function firstLine(err: unknown): string {
  return errorMessage(err).trim().split('\n')[0] ?? '';
}

function read(files: readonly string[]): Result<KubeConfig, KubeconfigProblem> {
  const existing = files.filter((f) => fs.existsSync(f));
  if (existing.length === 0) {
    return fail('noKubeconfig', `No kubeconfig found (looked for ${files.join(', ')}).`);
  }
  // Merge like kubectl: the first file that defines a name wins (client-node throws on duplicates instead).
  const merged = new KubeConfig();
  const seen = { clusters: new Set<string>(), users: new Set<string>(), contexts: new Set<string>() };
  let current = '';
  for (const file of existing) {
    const kc = new KubeConfig();
    try {
      kc.loadFromFile(file);
    } catch (err) {
      return fail('badKubeconfig', `The kubeconfig ${file} cannot be read: ${firstLine(err)}.`);
    }
    for (const c of kc.getClusters()) {
      if (seen.clusters.has(c.name)) continue;
      seen.clusters.add(c.name);
      merged.addCluster(c);
    }
    for (const u of kc.getUsers()) {
      if (seen.users.has(u.name)) continue;
      seen.users.add(u.name);
      merged.addUser(u);
    }
    for (const c of kc.getContexts()) {
      if (seen.contexts.has(c.name)) continue;
      seen.contexts.add(c.name);
      merged.addContext(c);
    }
    current ||= kc.getCurrentContext() ?? '';
  }
  if (current) merged.setCurrentContext(current);
  return ok(merged);
}

/**
 * Loads the kubeconfig and picks a context. Every failure is a {@link Result} whose message says what is
 * wrong (the host adds what to do, by reason: src/host/errorText.ts); nothing here throws for bad input.
 */
export function loadKubeconfig(source: KubeconfigSource): Result<LoadedKubeconfig, KubeconfigProblem> {
  const files = kubeconfigFiles(source);
  const loaded = read(files);
  if (!loaded.ok) return loaded;
  const kc = loaded.value;
  const contexts = kc.getContexts().map((c) => ({ name: c.name, cluster: c.cluster, user: c.user ?? '', namespace: c.namespace ?? '' }));
  if (contexts.length === 0) return fail('noContext', `The kubeconfig (${files.join(', ')}) defines no contexts.`);
  const wanted = source.context?.trim() || kc.getCurrentContext();
  if (!wanted) return fail('noContext', 'The kubeconfig has no current-context.');
  const context = contexts.find((c) => c.name === wanted);
  if (!context) return fail('noContext', `Context "${wanted}" is not in the kubeconfig (${contexts.map((c) => c.name).join(', ')}).`);
  kc.setCurrentContext(wanted);
  const cluster = kc.getCurrentCluster();
  if (!cluster?.server) return fail('noCluster', `Context "${wanted}" names cluster "${context.cluster}", which is missing or has no server address.`);
  const reload = (): KubeConfig => {
    const again = read(files);
    if (!again.ok) return kc;
    again.value.setCurrentContext(wanted);
    return again.value;
  };
  return ok({
    files,
    contexts,
    currentContext: wanted,
    namespace: context.namespace,
    server: cluster.server,
    client: new KubeClient(kc, reload),
  });
}
