import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseQuery } from '../../../src/core/query/parse';
import { formatAge, formatWindow } from '../../../src/core/text/format';
import { cell, escapeMarkdown } from '../../../src/server/format';
import { reasonFilter } from '../../../src/server/goFeatures';
import { objectKeyOf, underFilter } from '../../../src/server/manifestFeatures';
import { locateManifests } from '../../../src/server/yamlLocator';

describe('language server text', () => {
  it('escapes every markdown construct in cluster text, and keeps a table row one line', () => {
    const hostile = '[x](command:workbench.action.terminal.new) <img src=x onerror=alert(1)> **b** `c` | d\nnext line https://evil.example www.evil.example';
    const out = cell(hostile, 1_000);
    assert.ok(!out.includes('\n'));
    assert.ok(!/(^|[^\\])[[\]()<>*`|]/.test(out), out);
    assert.ok(!out.includes('https://'), 'no autolink survives');
    assert.ok(!out.includes('www.evil'), 'no www autolink survives');
    assert.equal(escapeMarkdown('a_b'), 'a\\_b');
    assert.match(cell('x'.repeat(500), 100), /more characters/);
  });

  it('formats ages and windows the way the lenses say them', () => {
    assert.deepEqual([formatAge(20_000), formatAge(180_000), formatAge(7_200_000), formatAge(3 * 86_400_000)], ['20s', '3m', '2h', '3d']);
    assert.deepEqual([formatWindow(3_600_000), formatWindow(1_800_000), formatWindow(7_200_000), formatWindow(60_000)], ['hour', '30 minutes', '2 hours', 'minute']);
  });

  it('builds filters the query language parses back, even for odd names', () => {
    for (const q of [underFilter({ kind: 'Deployment', namespace: 'shop', name: 'web', apiVersion: 'apps/v1' }), underFilter({ kind: 'Node', namespace: '', name: 'node-1', apiVersion: 'v1' }), reasonFilter('BackOff', new Set(['website-controller'])), reasonFilter('odd reason, "quoted"', new Set()), reasonFilter('X', new Set(['a', 'b']))]) {
      const parsed = parseQuery(q);
      assert.ok(parsed.ok, `${q}: ${parsed.ok ? '' : parsed.message}`);
    }
    assert.equal(reasonFilter('X', new Set(['a', 'b'])), 'reason:X', 'two components: reason only');
  });

  it('resolves a manifest\'s namespace from the document, the context, or default; none for cluster-scoped kinds', () => {
    const [a, b, c] = locateManifests('kind: Pod\nmetadata:\n  name: a\n  namespace: x\n---\nkind: Pod\nmetadata:\n  name: b\n---\nkind: Namespace\nmetadata:\n  name: c\n');
    const cluster = { context: 'admin', defaultNamespace: 'team', windowMs: 1, live: true, clusters: 1 };
    assert.equal(objectKeyOf(a, cluster).namespace, 'x');
    assert.equal(objectKeyOf(b, cluster).namespace, 'team');
    assert.equal(objectKeyOf(b, undefined).namespace, 'default');
    assert.equal(objectKeyOf(c, cluster).namespace, '');
  });
});
