import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { collectPackageFacts, GoParser, loadGo, locateRecorderCalls, reasonArgumentAt, type RecorderCall } from '../../src/server/goLocator';

const root = path.resolve(__dirname, '..', '..', '..');
const dir = path.join(root, 'test', 'fixtures', 'lsp', 'goctrl');
let parser: GoParser;

function calls(text: string, extra: ReadonlyMap<string, string> = new Map()): RecorderCall[] {
  const tree = parser.parse(text)!;
  try {
    const facts = collectPackageFacts(tree);
    return locateRecorderCalls(tree, new Map([...extra, ...facts.constants]));
  } finally {
    tree.delete();
  }
}

describe('Go locator (tree-sitter)', () => {
  before(async () => {
    const lang = await loadGo({ runtime: path.join(root, 'node_modules/web-tree-sitter/tree-sitter.wasm'), grammar: path.join(root, 'node_modules/tree-sitter-go/tree-sitter-go.wasm') });
    parser = new GoParser(lang);
  });

  it('finds Event, Eventf, AnnotatedEventf and tools/events Eventf, whatever the receiver, with package constants', () => {
    const text = fs.readFileSync(path.join(dir, 'controller.go'), 'utf8');
    const constTree = parser.parse(fs.readFileSync(path.join(dir, 'reasons.go'), 'utf8'))!;
    const pkg = collectPackageFacts(constTree);
    constTree.delete();
    assert.equal(pkg.packageName, 'website');
    assert.deepEqual([...pkg.constants], [['ReasonSynced', 'Synced'], ['ReasonBackOff', 'BackOff']]);
    const found = calls(text, pkg.constants);
    assert.deepEqual(
      found.map((c) => [c.method, c.reason, c.literal, c.eventType]),
      [
        ['Event', 'Synced', false, 'Normal'],
        ['Eventf', 'FailedDeploy', true, 'Warning'],
        ['AnnotatedEventf', 'BackOff', false, 'Warning'],
        ['Eventf', 'FailedCreate', true, 'Warning'],
        ['Eventf', 'bad_reason', true, 'Warning'],
        ['Eventf', undefined, false, 'Normal'],
      ],
    );
    // The reason's range is the argument as written.
    const backOff = found[2];
    assert.equal(text.slice(backOff.reasonRange!.start, backOff.reasonRange!.end), 'ReasonBackOff');
    const toolsEvents = found[3];
    assert.equal(text.slice(toolsEvents.reasonRange!.start, toolsEvents.reasonRange!.end), '"FailedCreate"');
  });

  it('reads the component name the package gives its recorder', () => {
    const tree = parser.parse(fs.readFileSync(path.join(dir, 'controller.go'), 'utf8'))!;
    assert.deepEqual([...collectPackageFacts(tree).components], ['website-controller']);
    tree.delete();
    const t2 = parser.parse('package x\nvar b = record.EventSource{Component: "legacy-ctrl"}\n')!;
    assert.deepEqual([...collectPackageFacts(t2).components], ['legacy-ctrl']);
    t2.delete();
  });

  it('counts offsets in UTF-16, as the editor does', () => {
    const text = 'package x\n// héllo 🌍 wörld\nfunc f() { r.Eventf(o, "Warning", "Bäd", "m") }\n';
    const [c] = calls(text);
    assert.equal(text.slice(c.reasonRange!.start, c.reasonRange!.end), '"Bäd"');
  });

  it('survives half-typed code and binary junk', () => {
    // As the editor has it mid-typing: the closing parenthesis and quote auto-inserted, the function unfinished.
    const half = 'package x\nfunc f() {\n  r.recorder.Eventf(obj, corev1.EventTypeWarning, "Back")\n  if x {\n';
    const found = calls(half);
    assert.deepEqual(found.map((c) => [c.method, c.reason]), [['Eventf', 'Back']]);
    // Cut off in the middle of the call: nothing is claimed, nothing throws.
    assert.deepEqual(calls('package x\nfunc f() {\n  r.recorder.Eventf(obj, corev1.EventTypeWarning, "Back'), []);
    const junk = Buffer.from(Array.from({ length: 20_000 }, (_, i) => (i * 7919) % 256)).toString('latin1');
    assert.doesNotThrow(() => calls(junk));
    assert.deepEqual(calls('package x\nfunc f() { fmt.Println("Eventf") ; x.Event() }\n'), []);
  });

  it('knows when the cursor is in the reason argument', () => {
    const text = 'package x\nfunc f() { r.Eventf(obj, corev1.EventTypeWarning, "", "msg") }\n';
    const tree = parser.parse(text)!;
    const inReason = text.indexOf('""') + 1;
    assert.ok(reasonArgumentAt(tree, inReason));
    assert.equal(reasonArgumentAt(tree, text.indexOf('"msg"') + 2), undefined);
    tree.delete();
    const typing = 'package x\nfunc f() {\n  r.Eventf(obj, corev1.EventTypeWarning, )\n}\n';
    const t2 = parser.parse(typing)!;
    assert.ok(reasonArgumentAt(t2, typing.indexOf(', )') + 2), 'right after the comma that follows the type');
    t2.delete();
  });
});
