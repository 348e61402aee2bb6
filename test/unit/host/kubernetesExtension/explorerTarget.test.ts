import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { explorerFilter, explorerResource, hostKubeconfigPath } from '../../../../src/host/kubernetesExtension/explorerTarget';

describe('the VS Code Kubernetes extension bridge', () => {
  it('turns a cluster-explorer resource node into an under: filter', () => {
    const node = { nodeType: 'resource', namespace: 'shop', name: 'web', resourceKind: { manifestKind: 'Deployment', abbreviation: 'deployment' } };
    assert.deepEqual(explorerResource(node), { kind: 'Deployment', namespace: 'shop', name: 'web' });
    assert.equal(explorerFilter(node), 'under:Deployment/shop/web');
    assert.equal(explorerFilter({ nodeType: 'resource', namespace: null, name: 'n1', resourceKind: { manifestKind: 'Node' } }), 'under:Node/n1');
  });

  it('ignores folders, contexts and malformed targets', () => {
    for (const t of [undefined, null, 'x', { nodeType: 'folder.resource' }, { nodeType: 'context', name: 'prod' }, { nodeType: 'resource', name: 'x' }, { nodeType: 'resource', resourceKind: { manifestKind: 'Pod' } }]) {
      assert.equal(explorerFilter(t), undefined, JSON.stringify(t));
    }
  });

  it('uses host kubeconfig paths only', () => {
    assert.equal(hostKubeconfigPath({ pathType: 'host', hostPath: '/home/me/.kube/config' }), '/home/me/.kube/config');
    assert.equal(hostKubeconfigPath({ pathType: 'wsl', wslPath: '/home/me/.kube/config' }), undefined);
    assert.equal(hostKubeconfigPath(undefined), undefined);
  });
});
