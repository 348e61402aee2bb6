import type { Result } from '../../core/result';
import type { ObjectMetadata, ReadProblem } from '../../kube/resourceReader';
import type { ObjectKeyDto } from '../../protocol/languageServer';
import type { ExistsAnswer } from './objectFeed';
import type { ObjectKeyWith } from '../../core/events/kubeEvent';

/** Reads one object's metadata; undefined when not connected (ClusterResources.metadata). */
export type MetadataRead = (ref: ObjectKeyWith<never, 'apiVersion'>) => Promise<Result<ObjectMetadata, ReadProblem>> | undefined;

/**
 * Whether an object an open document names exists, for the language server's existence checks: `yes` with its
 * uid when the read found it, `no` when the apiserver said 404, `unknown` otherwise (not connected, forbidden,
 * an unknown kind, the apiserver unavailable): the editor then claims nothing.
 */
export async function checkExists(read: MetadataRead, o: ObjectKeyDto): Promise<ExistsAnswer> {
  const answer = await read({ apiVersion: o.apiVersion, kind: o.kind, namespace: o.namespace, name: o.name });
  if (!answer) return { exists: 'unknown', uid: '' };
  if (answer.ok) return { exists: 'yes', uid: answer.value.metadata.uid };
  return { exists: answer.reason === 'not-found' ? 'no' : 'unknown', uid: '' };
}
