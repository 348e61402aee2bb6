import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { manifestAt } from '../../../src/kube/manifest';

const STREAM = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
---
# a comment
apiVersion: v1
kind: Service
metadata:
  name: web-svc
---
not: kubernetes
`;

describe('manifestAt', () => {
  it('reads the document under the cursor', () => {
    assert.deepEqual(manifestAt(STREAM, STREAM.indexOf('name: web')), { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', namespace: 'shop' });
    assert.deepEqual(manifestAt(STREAM, STREAM.indexOf('web-svc')), { apiVersion: 'v1', kind: 'Service', name: 'web-svc', namespace: '' });
  });

  it('returns undefined outside a Kubernetes object and for broken YAML', () => {
    assert.equal(manifestAt(STREAM, STREAM.indexOf('not: kubernetes')), undefined);
    assert.equal(manifestAt('kind: [unclosed\n', 3), undefined);
    assert.equal(manifestAt('', 0), undefined);
  });
});
