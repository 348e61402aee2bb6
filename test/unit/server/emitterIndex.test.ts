import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { GoParser, loadGo } from '../../../src/server/goLocator';
import { fileEmitters, formatPattern, rankEmitters, resolveSites, WorkspaceGoIndex, type FileEmitters } from '../../../src/server/emitterIndex';
import { isEmitterQueryParams, isEmitterResult, MANIFEST_DIAGNOSTIC_SOURCE, type EmitterQueryParams } from '../../../src/protocol/emitters';
import { DIAGNOSTIC_SOURCE } from '../../../src/server/manifestFeatures';

const root = path.resolve(__dirname, '../../../..');
const demo = path.join(root, 'test', 'cluster', 'go', 'demo-controller', 'main.go');
let parser: GoParser;

const OTHER = `package other

import corev1 "k8s.io/api/core/v1"

const reasonFailed = "FailedCreate"

func setup(mgr manager) {
	r := mgr.GetEventRecorderFor("shop-operator")
	_ = r
}

func (c *ctl) fail(site object, err error) {
	c.recorder.Eventf(site, corev1.EventTypeWarning, reasonFailed, "could not create %q: %v", site.Name, err)
	c.recorder.Event(site, "Normal", "Synced", "synced")
}
`;

function emittersOf(text: string): FileEmitters {
  const tree = parser.parse(text)!;
  try {
    return fileEmitters(tree, text);
  } finally {
    tree.delete();
  }
}

const event = (over: Partial<EmitterQueryParams>): EmitterQueryParams => ({ reason: 'FailedCreate', message: '', type: 'Warning', component: 'website-controller', action: '', ...over });

describe('Go to Emitter: the workspace Go index', () => {
  before(async () => {
    const lang = await loadGo({ runtime: path.join(root, 'node_modules/web-tree-sitter/web-tree-sitter.wasm'), grammar: path.join(root, 'node_modules/tree-sitter-go/tree-sitter-go.wasm') });
    parser = new GoParser(lang);
  });

  it('turns Go format verbs into wildcards: %d digits, the others anything, %% a percent sign', () => {
    assert.ok(formatPattern('Failed to create Deployment %s: %v').test('Failed to create Deployment shop: deployments.apps is forbidden: exceeded quota'));
    assert.ok(formatPattern('Created Deployment %s with %d replicas of %s').test('Created Deployment web with 3 replicas of nginx:1.27'));
    assert.ok(!formatPattern('Created Deployment %s with %d replicas of %s').test('Created Deployment web with three replicas of nginx'));
    assert.ok(formatPattern('%q at 100%%').test('"x" at 100%'));
    assert.ok(formatPattern('%-10s|%5.2f|%[1]v').test('a|1.00|a'));
    assert.ok(!formatPattern('exact (literal) text.').test('exact (literal) textX'));
  });

  it('reads the demo controller: both APIs, literals, the component through a constant', () => {
    const f = emittersOf(fs.readFileSync(demo, 'utf8'));
    const byReason = new Map(f.sites.map((s) => [s.reasonLiteral, s]));
    assert.deepEqual([...byReason.keys()].sort(), ['DeploymentCreated', 'DeploymentExists', 'DeploymentUpdated', 'FailedCreate', 'RolloutComplete', 'Synced']);
    assert.equal(byReason.get('RolloutComplete')?.api, 'events');
    assert.equal(byReason.get('RolloutComplete')?.actionLiteral, 'WaitForRollout');
    assert.equal(byReason.get('RolloutComplete')?.message?.text, 'Deployment %s has %d of %d replicas available');
    assert.equal(byReason.get('DeploymentCreated')?.method, 'AnnotatedEventf');
    assert.equal(byReason.get('DeploymentCreated')?.message?.text, 'Created Deployment %s with %d replicas of %s');
    assert.deepEqual({ ...byReason.get('Synced')?.message }, { text: 'Website synced successfully', isFormat: false });
    assert.deepEqual(f.components.map((c) => c.identifier ?? c.literal).sort(), ['controllerName', 'controllerName']);
  });

  it('ranks: reason, message format, component and type; says why; nothing when no call records the reason', () => {
    const files = new Map([
      ['file:///ws/demo/main.go', emittersOf(fs.readFileSync(demo, 'utf8'))],
      ['file:///ws/other/other.go', emittersOf(OTHER)],
    ]);
    const sites = resolveSites(files);
    const failed = rankEmitters(sites, event({ message: 'Failed to create Deployment storefront: deployments.apps "storefront" is forbidden: exceeded quota' }));
    assert.equal(failed.length, 2);
    assert.equal(failed[0].uri, 'file:///ws/demo/main.go');
    assert.deepEqual(failed[0].why, [
      'reason "FailedCreate" as a literal',
      'message matches the format "Failed to create Deployment %s: %v"',
      'component "website-controller": the package\'s EventSource{Component: …} (constant controllerName)',
      'type Warning',
    ]);
    assert.match(failed[0].call, /^c\.recorder\.Eventf\(site, corev1\.EventTypeWarning, "FailedCreate"/);
    assert.equal(failed[0].range.start.line, fs.readFileSync(demo, 'utf8').split('\n').findIndex((l) => l.includes('"FailedCreate", "Failed to create')));
    assert.deepEqual(failed[1].why, [
      'reason "FailedCreate" through the constant reasonFailed',
      'message does not match the format "could not create %q: %v"',
      'the package records as "shop-operator", not "website-controller"',
      'type Warning',
    ]);
    assert.ok(failed[0].score > failed[1].score);
    // The other operator's event: its call wins.
    const theirs = rankEmitters(sites, event({ message: 'could not create "web": boom', component: 'shop-operator' }));
    assert.equal(theirs[0].uri, 'file:///ws/other/other.go');
    assert.match(theirs[0].why[2], /GetEventRecorderFor/);
    // events.k8s.io: the action counts.
    const rollout = rankEmitters(sites, event({ reason: 'RolloutComplete', type: 'Normal', message: 'Deployment storefront has 1 of 1 replicas available', action: 'WaitForRollout' }));
    assert.ok(rollout[0].why.includes('tools/events call with action "WaitForRollout"'), JSON.stringify(rollout[0].why));
    assert.deepEqual(rankEmitters(sites, event({ reason: 'BackOff' })), []);
    assert.ok(isEmitterResult({ candidates: failed, filesIndexed: 2 }));
  });

  it('indexes every Go file under the folders, skips vendor/ and testdata/, and reads open documents as edited', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'emitters-'));
    try {
      fs.mkdirSync(path.join(dir, 'pkg', 'ctl'), { recursive: true });
      fs.mkdirSync(path.join(dir, 'vendor', 'x'), { recursive: true });
      fs.writeFileSync(path.join(dir, 'pkg', 'ctl', 'other.go'), OTHER);
      fs.writeFileSync(path.join(dir, 'vendor', 'x', 'v.go'), OTHER);
      const open = new Map<string, string>();
      const index = new WorkspaceGoIndex(() => parser, (uri) => open.get(uri), (f) => pathToFileURL(f).href);
      const files = index.scan([dir]);
      assert.deepEqual([...files.keys()], [pathToFileURL(path.join(dir, 'pkg', 'ctl', 'other.go')).href]);
      open.set(pathToFileURL(path.join(dir, 'pkg', 'ctl', 'other.go')).href, OTHER.replace('reasonFailed, ', '"Edited", '));
      const edited = resolveSites(index.scan([dir]));
      assert.ok(edited.some((s) => s.reason === 'Edited'));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('names the manifest diagnostics\' source as the server does', () => {
    assert.equal(MANIFEST_DIAGNOSTIC_SOURCE, DIAGNOSTIC_SOURCE);
  });

  it('refuses malformed requests', () => {
    assert.ok(isEmitterQueryParams(event({})));
    assert.ok(!isEmitterQueryParams({ ...event({}), reason: '' }));
    assert.ok(!isEmitterQueryParams({ ...event({}), message: 'x'.repeat(5000) }));
    assert.ok(!isEmitterQueryParams({ reason: 'x' }));
  });
});
