import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { containerOfFieldPath, locateManifests, MAX_MANIFEST_LENGTH } from '../../../src/server/yamlLocator';

const fixtures = path.resolve(__dirname, '..', '..', '..', '..', 'test', 'fixtures', 'lsp');
const read = (name: string): string => fs.readFileSync(path.join(fixtures, name), 'utf8');

describe('YAML locator', () => {
  it('finds every object of Helm-rendered output, with the ranges of kind, name and containers', () => {
    const text = read('helm-rendered.yaml');
    const objects = locateManifests(text);
    assert.deepEqual(
      objects.map((o) => [o.kind, o.name, o.namespace]),
      [
        ['ServiceAccount', 'shop-web', undefined],
        ['Service', 'shop-web', undefined],
        ['Deployment', 'shop-web', 'shop'],
        ['Pod', 'shop-web-test-connection', undefined],
      ],
    );
    const deployment = objects[2];
    assert.equal(deployment.apiVersion, 'apps/v1');
    assert.equal(text.slice(deployment.kindRange.start, deployment.kindRange.end), 'Deployment');
    assert.equal(text.slice(deployment.nameRange.start, deployment.nameRange.end), 'shop-web');
    // The quoted name's range covers its quotes.
    const service = objects[1];
    assert.equal(text.slice(service.nameRange.start, service.nameRange.end), '"shop-web"');
    assert.deepEqual([...deployment.containers.keys()], ['migrate', 'app', 'log-shipper']);
    const app = deployment.containers.get('app')!;
    assert.equal(text.slice(app.start, app.end), 'app');
    const shipper = deployment.containers.get('log-shipper')!;
    assert.equal(text.slice(shipper.start, shipper.end), "'log-shipper'");
    // Each document's range starts at its own content, after the Helm `# Source:` comment.
    assert.ok(text.slice(deployment.range.start).startsWith('apiVersion: apps/v1'));
  });

  it('reads kustomize output, CRDs and job templates', () => {
    const objects = locateManifests(read('kustomize-output.yaml'));
    assert.deepEqual(
      objects.map((o) => `${o.kind}/${o.namespace ?? '-'}/${o.name}`),
      ['Namespace/-/batch', 'ConfigMap/batch/report-config-7k8d9m2f5t', 'CronJob/batch/report', 'Website/batch/docs'],
    );
    assert.deepEqual([...objects[2].containers.keys()], ['report']);
  });

  it('keeps what it can read of half-typed input, and never throws', () => {
    const objects = locateManifests(read('broken.yaml'));
    assert.ok(objects.some((o) => o.kind === 'Pod' && o.name === 'survivor'), JSON.stringify(objects.map((o) => o.name)));
    assert.ok(!objects.some((o) => o.kind === 'Secret'));
    for (const junk of ['\u0000\u0001\u0002\uFFFD{{{', ':\n  - [', 'kind: Pod\nmetadata: 3', '---\n---\n', '']) assert.deepEqual(locateManifests(junk), []);
    const binary = Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 256)).toString('latin1');
    assert.doesNotThrow(() => locateManifests(binary));
  });

  it('expands a List into its items', () => {
    assert.deepEqual(locateManifests(read('list.yaml')).map((o) => `${o.name}@${o.namespace ?? ''}`), ['first@', 'second@other']);
  });

  it('skips a file beyond the size limit instead of parsing it', () => {
    const huge = `kind: Pod\nmetadata:\n  name: big\n# ${'x'.repeat(MAX_MANIFEST_LENGTH)}\n`;
    assert.deepEqual(locateManifests(huge), []);
  });

  it('reads a 5,000-line multi-document manifest quickly (reported, not asserted)', () => {
    const doc = (i: number): string => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm-${i}\n  namespace: load\ndata:\n  a: "1"\n  b: "2"\n---\n`;
    const text = Array.from({ length: 560 }, (_, i) => doc(i)).join('');
    const t0 = performance.now();
    const objects = locateManifests(text);
    const ms = performance.now() - t0;
    assert.equal(objects.length, 560);
    console.log(`locateManifests: ${text.split('\n').length} lines in ${ms.toFixed(1)} ms`);
  });

  it('names the container of a fieldPath', () => {
    assert.equal(containerOfFieldPath('spec.containers{app}'), 'app');
    assert.equal(containerOfFieldPath('spec.initContainers{migrate}'), 'migrate');
    assert.equal(containerOfFieldPath('spec.containers'), undefined);
    assert.equal(containerOfFieldPath(''), undefined);
  });
});
