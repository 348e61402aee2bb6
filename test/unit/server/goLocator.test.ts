import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { collectPackageFacts, GoParser, loadGo, locateRecorderCalls, reasonSlotAt, type ReasonSlot, type RecorderCall } from '../../../src/server/goLocator';

const root = path.resolve(__dirname, '..', '..', '..', '..');
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
    const lang = await loadGo({ runtime: path.join(root, 'node_modules/web-tree-sitter/web-tree-sitter.wasm'), grammar: path.join(root, 'node_modules/tree-sitter-go/tree-sitter-go.wasm') });
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
    assert.ok(slotAt(text, text.indexOf('""') + 1));
    assert.equal(slotAt(text, text.indexOf('"msg"') + 2), undefined);
    const typing = 'package x\nfunc f() {\n  r.Eventf(obj, corev1.EventTypeWarning, )\n}\n';
    assert.ok(slotAt(typing, typing.indexOf(', )') + 2), 'right after the comma that follows the type');
  });

  // `|` marks the cursor; the slot's replaced text is returned between [ and ].
  function at(marked: string): { kind: string; closed: boolean; replaced: string; method: string } | undefined {
    const offset = marked.indexOf('|');
    const text = marked.slice(0, offset) + marked.slice(offset + 1);
    const slot = slotAt(text, offset);
    return slot && { kind: slot.kind, closed: slot.closed, method: slot.method, replaced: text.slice(slot.replace.start, slot.replace.end) };
  }
  const inFunc = (line: string): string => `package website\n\nfunc (r *R) Reconcile(pod *corev1.Pod) error {\n\t${line}\n\treturn nil\n}\n`;

  it('finds the reason while the call is typed: empty literal, no closing quote, no closing parenthesis', () => {
    // VS Code closed the quote and the parenthesis.
    assert.deepEqual(at(inFunc('r.Recorder.Eventf(pod, corev1.EventTypeWarning, "|")')), { kind: 'interpreted', closed: true, method: 'Eventf', replaced: '' });
    // Closed the quote only: error recovery leaves no call expression.
    assert.deepEqual(at(inFunc('r.Recorder.Eventf(pod, corev1.EventTypeWarning, "|"')), { kind: 'interpreted', closed: true, method: 'Eventf', replaced: '' });
    // Nothing closed.
    assert.deepEqual(at(inFunc('r.Recorder.Eventf(pod, corev1.EventTypeWarning, "|')), { kind: 'interpreted', closed: false, method: 'Eventf', replaced: '' });
    // A prefix that matches no reason: the whole content is replaced, VS Code filters.
    assert.deepEqual(at(inFunc('r.Recorder.Eventf(pod, corev1.EventTypeWarning, "Hx|')), { kind: 'interpreted', closed: false, method: 'Eventf', replaced: 'Hx' });
    assert.deepEqual(at(inFunc('r.Recorder.Eventf(pod, corev1.EventTypeWarning, "H|x")')), { kind: 'interpreted', closed: true, method: 'Eventf', replaced: 'Hx' });
    assert.deepEqual(at(inFunc('r.Recorder.Eventf(pod, corev1.EventTypeWarning, "Back\\"O|ff", "m")')), { kind: 'interpreted', closed: true, method: 'Eventf', replaced: 'Back\\"Off' });
    // No quote typed yet, or an identifier being typed: the completion brings its own quotes.
    assert.deepEqual(at(inFunc('r.Recorder.Eventf(pod, corev1.EventTypeWarning, |')), { kind: 'code', closed: true, method: 'Eventf', replaced: '' });
    assert.deepEqual(at(inFunc('r.Recorder.Eventf(pod, corev1.EventTypeWarning, Ba|')), { kind: 'code', closed: true, method: 'Eventf', replaced: 'Ba' });
    // Raw literals, closed or not.
    assert.deepEqual(at(inFunc('r.Recorder.Eventf(pod, corev1.EventTypeWarning, `Ba|`, "m")')), { kind: 'raw', closed: true, method: 'Eventf', replaced: 'Ba' });
    assert.deepEqual(at(inFunc('r.Recorder.Eventf(pod, corev1.EventTypeWarning, `|')), { kind: 'raw', closed: false, method: 'Eventf', replaced: '' });
    // Arguments over several lines, with a comment and a composite literal before.
    assert.deepEqual(at(inFunc('r.Recorder.Eventf(&corev1.Pod{ObjectMeta: m}, // the pod\n\t\t"Warning",\n\t\t"|')), { kind: 'interpreted', closed: false, method: 'Eventf', replaced: '' });
  });

  it('covers Event, Eventf, AnnotatedEventf and tools/events Eventf', () => {
    assert.equal(at(inFunc('r.recorder.Event(pod, corev1.EventTypeNormal, "|"'))?.method, 'Event');
    assert.equal(at(inFunc('r.recorder.AnnotatedEventf(pod, map[string]string{"a": "b"}, corev1.EventTypeWarning, "|'))?.method, 'AnnotatedEventf');
    assert.equal(at(inFunc('c.events.Eventf(site, deployment, corev1.EventTypeNormal, "|'))?.method, 'Eventf');
    // Without a recognisable event type, client-go's positions.
    assert.equal(at(inFunc('r.recorder.Event(pod, t, "|'))?.method, 'Event');
    assert.equal(at(inFunc('r.recorder.AnnotatedEventf(pod, ann, t, "|'))?.method, 'AnnotatedEventf');
  });

  it('offers nothing outside the reason argument', () => {
    for (const line of [
      'r.Recorder.Eventf(pod, corev1.EventTypeWarning, "Back", "|',
      'r.Recorder.Eventf(pod, "|',
      'r.Recorder.Eventf(|',
      'r.Recorder.Eventf(pod, corev1.EventTypeWarning, "Back"|',
      'r.Recorder.Eventf(pod, corev1.EventTypeWarning, x + "|',
      'c.events.Eventf(site, deployment, corev1.EventTypeNormal, "Synced", "|',
      'fmt.Printf(pod, corev1.EventTypeWarning, "|',
      'Eventf(pod, corev1.EventTypeWarning, "|',
      'r.Recorder.Eventf(pod, corev1.EventTypeWarning, "x")\n\tfoo("|',
      'r.Recorder.Eventf(pod, corev1.EventTypeWarning,\n\tif x {\n\t\tfoo(a, b, "|',
      '// r.Recorder.Eventf(pod, corev1.EventTypeWarning, "|',
      'r.Recorder.Eventf(pod, corev1.EventTypeWarning, /* the reason |',
      'r.Recorder.Eventf(pod, corev1.EventTypeWarning, fmt.Sprintf("|',
      's := `r.Recorder.Eventf(pod, corev1.EventTypeWarning, "|`',
    ]) {
      assert.equal(at(inFunc(line)), undefined, line);
    }
  });
});

function slotAt(text: string, offset: number): ReasonSlot | undefined {
  const tree = parser.parse(text)!;
  try {
    return reasonSlotAt(tree, text, offset);
  } finally {
    tree.delete();
  }
}
