import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CAPTURE_EDITOR, CAPTURE_EXTENSION, Commands, Settings, VIEW_CONTAINER, Views } from '../../src/constants';

/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-call -- these tests walk package.json's JSON, whose shape is what they check */
interface Manifest {
  readonly activationEvents?: string[];
  readonly contributes: Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
}
const pkg = JSON.parse(fs.readFileSync(path.resolve(__dirname, '..', '..', '..', 'package.json'), 'utf8')) as Manifest;
const contributed = pkg.contributes.commands as Array<{ command: string; title: string; category: string }>;

describe('package.json contributions match src/constants.ts', () => {
  it('contributes exactly the commands the code registers, each in the Kube Events category', () => {
    assert.deepEqual(contributed.map((c) => c.command).sort(), Object.values(Commands).sort());
    for (const c of contributed) assert.equal(c.category, 'Kube Events', c.command);
  });

  it('keeps the user-facing command titles (the product contract)', () => {
    const titles = new Map(contributed.map((c) => [c.command, c.title]));
    const contract: Record<string, string> = {
      [Commands.selectContext]: 'Select Context…',
      [Commands.selectContexts]: 'Select Contexts…',
      [Commands.selectNamespace]: 'Select Namespace…',
      [Commands.filterEvents]: 'Filter Events…',
      [Commands.filterByResource]: 'Filter by Resource…',
      [Commands.clearFilter]: 'Clear Filter',
      [Commands.pauseStream]: 'Pause Stream',
      [Commands.resumeStream]: 'Resume Stream',
      [Commands.groupBy]: 'Group By…',
      [Commands.openTimeline]: 'Open Timeline',
      [Commands.exportEvents]: 'Export Events…',
      [Commands.showLog]: 'Show Log',
      [Commands.filterToResource]: 'Filter to This Resource',
      [Commands.copyKubectlCommand]: 'Copy kubectl events Command',
      [Commands.openResourceYaml]: 'Open Resource YAML',
    };
    for (const [id, title] of Object.entries(contract)) assert.equal(titles.get(id), title, id);
    assert.equal(pkg.contributes.viewsContainers.activitybar[0].id, VIEW_CONTAINER);
    assert.equal(pkg.contributes.viewsContainers.activitybar[0].title, 'Kube Events');
    assert.deepEqual(pkg.contributes.views[VIEW_CONTAINER].map((v: { id: string; name: string }) => [v.id, v.name]), [[Views.events, 'Events']]);
  });

  it('opens capture files in the capture editor, and offers Save, Open and Close Capture', () => {
    const titles = new Map(contributed.map((c) => [c.command, c.title]));
    assert.equal(titles.get(Commands.saveCapture), 'Save Capture…');
    assert.equal(titles.get(Commands.openCapture), 'Open Capture…');
    assert.equal(titles.get(Commands.closeCapture), 'Close Capture');
    const editors = pkg.contributes.customEditors as Array<{ viewType: string; selector: Array<{ filenamePattern: string }> }>;
    assert.deepEqual(editors.map((e) => [e.viewType, e.selector.map((s) => s.filenamePattern)]), [[CAPTURE_EDITOR, [`*.${CAPTURE_EXTENSION}`]]]);
    // What needs a live cluster is hidden while a capture is open; Close Capture shows only then.
    const titleMenu = pkg.contributes.menus['view/title'] as Array<{ command: string; when: string }>;
    for (const id of [Commands.emitTestEvent, Commands.selectContext, Commands.pauseStream]) {
      assert.ok(titleMenu.filter((e) => e.command === id).every((e) => e.when.includes('!kubeEvents.capture')), id);
    }
    assert.ok(titleMenu.some((e) => e.command === Commands.closeCapture && e.when.includes('&& kubeEvents.capture')));
  });

  it('menus only name contributed commands, and item-only commands are hidden from the palette', () => {
    const ids = new Set(contributed.map((c) => c.command));
    for (const [menu, entries] of Object.entries(pkg.contributes.menus as Record<string, Array<{ command: string }>>)) {
      for (const e of entries) assert.ok(ids.has(e.command), `${menu}: ${e.command}`);
    }
    const hidden = (pkg.contributes.menus.commandPalette as Array<{ command: string; when: string }>).filter((e) => e.when === 'false').map((e) => e.command);
    for (const id of [Commands.filterToResource]) assert.ok(hidden.includes(id), id);
  });

  it('documents every setting with type, default, scope and a markdown description', () => {
    const props = pkg.contributes.configuration.properties as Record<string, Record<string, unknown>>;
    const keys = Object.values(Settings).filter((k) => k !== Settings.section).map((k) => `${Settings.section}.${k}`);
    assert.deepEqual(Object.keys(props).sort(), keys.sort());
    for (const [key, p] of Object.entries(props)) {
      for (const field of ['type', 'default', 'scope', 'markdownDescription']) assert.ok(field in p, `${key}.${field}`);
      if ('enum' in p) assert.ok('enumDescriptions' in p, `${key}.enumDescriptions`);
    }
  });

  it('activates implicitly, except to restore the timeline panel, to follow debug sessions and for the language server, and ships only the bundles and media', () => {
    // Webview panels have no contribution point, so VS Code cannot infer this one; a debug session must find
    // the extension active to follow it (kubeEvents.debug.follow), even when its views were never opened; an
    // opened manifest or Go file must start the language server without the user opening the Events view first.
    assert.deepEqual(pkg.activationEvents, ['onWebviewPanel:kubeEvents.timeline', 'onDebug', 'onLanguage:yaml', 'onLanguage:go']);
    const ignore = fs.readFileSync(path.resolve(__dirname, '..', '..', '..', '.vscodeignore'), 'utf8');
    assert.match(ignore, /^\*\*$/m, '.vscodeignore starts by excluding everything');
  });
});
