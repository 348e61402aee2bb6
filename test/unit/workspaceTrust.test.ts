import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

interface Capability {
  readonly supported?: boolean | 'limited';
  readonly description?: string;
  readonly restrictedConfigurations?: string[];
}
interface Manifest {
  readonly capabilities?: { readonly untrustedWorkspaces?: Capability; readonly virtualWorkspaces?: Capability };
  readonly contributes: { readonly configuration: { readonly properties: Record<string, { readonly scope?: string }> } };
}
const pkg = JSON.parse(readFileSync(join(__dirname, '..', '..', '..', 'package.json'), 'utf8')) as Manifest;
/** The settings a repository must not decide (src/host/config.ts USER_ONLY, ours only). */
const USER_ONLY = ['kubeEvents.kubeconfig', 'kubeEvents.emit.confirmContexts'];

describe('workspace trust in package.json', () => {
  it('gives the kubeconfig and the production guard a scope no workspace or folder settings can override', () => {
    const props = pkg.contributes.configuration.properties;
    // `machine`: user (or remote) settings only; `application`: local user settings only. Every other scope
    // (`machine-overridable`, `window`, `resource`, `language-overridable`) takes a workspace's value.
    for (const key of USER_ONLY) assert.ok(['machine', 'application'].includes(props[key]?.scope ?? ''), `${key}: ${props[key]?.scope}`);
  });

  it('declares limited support for untrusted workspaces, restricting those settings, and for virtual workspaces', () => {
    const untrusted = pkg.capabilities?.untrustedWorkspaces;
    assert.equal(untrusted?.supported, 'limited');
    assert.ok(untrusted?.description);
    assert.deepEqual([...(untrusted?.restrictedConfigurations ?? [])].sort(), [...USER_ONLY].sort());
    const virtual = pkg.capabilities?.virtualWorkspaces;
    assert.equal(virtual?.supported, 'limited');
    assert.ok(virtual?.description);
  });
});
