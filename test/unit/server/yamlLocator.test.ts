import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { containerOfFieldPath, locateManifests, locateManifestsWhole, ManifestCache, MAX_MANIFEST_LENGTH, type ManifestObject } from '../../../src/server/yamlLocator';

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
  it('reads each document alone and finds what a parse of the whole stream finds, ranges included', () => {
    const json = (objects: ManifestObject[]): string => JSON.stringify(objects, (_k, v: unknown) => (v instanceof Map ? [...v] : v));
    const texts = [
      ...fs.readdirSync(fixtures).filter((f) => f.endsWith('.yaml')).map(read),
      'kind: Pod\nmetadata:\n  name: a\n--- \nkind: Pod\nmetadata: {name: b}\n...\nkind: Pod\nmetadata:\n  name: c\n',
      'a: |\n  x\n---\nkind: Pod\nmetadata:\n  name: d\n',
      '# leading comment\n---\r\nkind: Pod\r\nmetadata:\r\n  name: e\r\n---\r\nkind: Pod\r\nmetadata:\r\n  name: f\r\n',
      '%YAML 1.2\n---\nkind: Pod\nmetadata:\n  name: g\n---\nkind: Pod\nmetadata:\n  name: h\n',
      '----\nkind: Pod\nmetadata:\n  name: i\n',
    ];
    for (const text of texts) assert.equal(json(locateManifests(text)), json(locateManifestsWhole(text)), text.slice(0, 80));
    // Cut at each line that starts a document: '---' then a blank or the line's end ('----' is content).
    const cache = new ManifestCache();
    const steps = cache.locate('a: 1\n---\nb: 2\n--- # c\n----\n');
    while (!steps.next().done);
    assert.equal(cache.parsed, 3);
  });

  it('parses again only the documents an edit changed, and keeps their offsets in the new text', () => {
    const doc = (i: number, extra = ''): string => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm-${i}${extra}\ndata:\n  a: "1"\n`;
    const docs = Array.from({ length: 100 }, (_, i) => doc(i));
    const cache = new ManifestCache();
    const run = (text: string): ManifestObject[] => {
      const steps = cache.locate(text);
      for (;;) {
        const step = steps.next();
        if (step.done) return step.value;
      }
    };
    assert.equal(run(docs.join('---\n')).length, 100);
    assert.equal(cache.parsed, 100);
    // The same version again, and an edit of one document that moves every one after it.
    run(docs.join('---\n'));
    assert.equal(cache.parsed, 100);
    docs[10] = doc(10, '-renamed');
    const text = docs.join('---\n');
    const objects = run(text);
    assert.equal(cache.parsed, 101);
    assert.equal(objects[10].name, 'cm-10-renamed');
    assert.deepEqual(objects.map((o) => text.slice(o.nameRange.start, o.nameRange.end)), objects.map((o) => o.name));
  });

  it('yields after each document it parses, so that a caller can let its event loop go', () => {
    const steps = new ManifestCache().locate(Array.from({ length: 5 }, (_, i) => `kind: Pod\nmetadata:\n  name: p${i}\n`).join('---\n'));
    let yields = 0;
    while (!steps.next().done) yields++;
    assert.equal(yields, 5);
  });
});
