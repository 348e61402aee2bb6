import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { kubectlEventsCommand, type KubectlEventsTarget } from '../../../../src/core/shell/kubectlEventsCommand';
import { UNPRINTABLE, type ShellKind } from '../../../../src/core/shell/shellQuote';

const SHELLS: readonly ShellKind[] = ['posix', 'powershell', 'cmd'];
const pod = (over: Partial<KubectlEventsTarget> = {}): KubectlEventsTarget => ({ context: 'admin', namespace: 'shop', kind: 'Pod', apiVersion: 'v1', name: 'web-1', ...over });

function line(target: KubectlEventsTarget, shell: ShellKind): string {
  const r = kubectlEventsCommand(target, shell);
  assert.ok(r.ok, `refused: ${r.ok ? '' : r.problem}`);
  return r.line;
}

describe('kubectlEventsCommand', () => {
  it('builds the usual line alike in every shell', () => {
    for (const shell of SHELLS) assert.equal(line(pod(), shell), 'kubectl events --context admin -n shop --for Pod/web-1 --watch');
    assert.equal(line(pod({ context: '' }), 'posix'), 'kubectl events -n shop --for Pod/web-1 --watch');
  });

  it('quotes a context for each shell', () => {
    const target = pod({ context: 'my ctx #1' });
    assert.equal(line(target, 'posix'), `kubectl events --context 'my ctx #1' -n shop --for Pod/web-1 --watch`);
    assert.equal(line(target, 'powershell'), `kubectl events --context 'my ctx #1' -n shop --for Pod/web-1 --watch`);
    assert.equal(line(target, 'cmd'), `kubectl events --context "my ctx #1" -n shop --for Pod/web-1 --watch`);
    const arn = 'arn:aws:eks:eu-west-1:123456789012:cluster/prod';
    assert.equal(line(pod({ context: arn }), 'powershell'), `kubectl events --context ${arn} -n shop --for Pod/web-1 --watch`);
    assert.equal(line(pod({ context: 'dev@kind' }), 'powershell'), `kubectl events --context 'dev@kind' -n shop --for Pod/web-1 --watch`);
  });

  it("copies nothing for the issue's object, x'; calc; # <U+0003>evil, in any shell, and says why without the control character", () => {
    for (const shell of SHELLS) {
      const r = kubectlEventsCommand(pod({ name: `x'; calc; # \u0003evil` }), shell);
      assert.equal(r.ok, false);
      assert.ok(!r.ok && r.problem.includes('<U+0003>'), !r.ok ? r.problem : '');
      assert.ok(!r.ok && !UNPRINTABLE.test(r.problem));
      assert.match(!r.ok ? r.problem : '', /DNS-1123 subdomain/);
    }
  });

  it('copies nothing for a kind, name or namespace outside Kubernetes\' character sets', () => {
    const bad: Array<Partial<KubectlEventsTarget>> = [
      { kind: 'Pod & calc' },
      { kind: "Pod'" },
      { kind: '' },
      { name: 'web&calc' },
      { name: 'Web' },
      { name: 'a\rb' },
      { name: 'ns/name' },
      { name: '' },
      { name: 'a'.repeat(254) },
      { namespace: 'Shop' },
      { namespace: 'a.b' },
      { namespace: '$(id)' },
      { kind: 'ClusterRole', apiVersion: 'rbac.authorization.k8s.io/v1', name: "system:x'; calc" },
      { kind: 'ClusterRole', apiVersion: 'rbac.authorization.k8s.io/v1', name: '..' },
      // Only RBAC's own kinds have path-segment names: a look-alike in another group does not.
      { kind: 'ClusterRole', apiVersion: 'example.com/v1', name: 'system:node' },
    ];
    for (const over of bad) for (const shell of SHELLS) assert.equal(kubectlEventsCommand(pod(over), shell).ok, false, `${JSON.stringify(over)} ${shell}`);
  });

  it('takes the path-segment names RBAC allows, such as system:controller:…', () => {
    const role = pod({ kind: 'ClusterRole', apiVersion: 'rbac.authorization.k8s.io/v1', name: 'system:controller:job-controller', namespace: 'default' });
    assert.equal(line(role, 'posix'), 'kubectl events --context admin -n default --for ClusterRole/system:controller:job-controller --watch');
    assert.equal(line(role, 'cmd'), 'kubectl events --context admin -n default --for ClusterRole/system:controller:job-controller --watch');
    assert.equal(line({ ...role, name: 'user@example.com' }, 'powershell'), `kubectl events --context admin -n default --for 'ClusterRole/user@example.com' --watch`);
  });

  it('leaves out a context that a shell could read as code, and says so', () => {
    for (const context of [`x'; calc; #`, 'a" & calc & "', '%PATH%', '$(id)', '`id`', 'a\u0003b', 'a\nb', 'ctx\u202e', 'x\u2019; calc']) {
      for (const shell of SHELLS) {
        const r = kubectlEventsCommand(pod({ context }), shell);
        assert.ok(r.ok, `${JSON.stringify(context)} ${shell}`);
        assert.equal(r.line, 'kubectl events -n shop --for Pod/web-1 --watch');
        assert.match(r.contextLeftOut ?? '', /context name/);
        assert.ok(!UNPRINTABLE.test(r.contextLeftOut ?? ''));
      }
    }
  });

  it('never puts an unprintable character in a line, whatever the input', () => {
    const alphabet = ['a', 'Z', '0', '-', '.', '/', ':', '@', ' ', "'", '"', '\\', '%', '!', '&', '|', ';', '$', '`', '#', '~', '\x00', '\x03', '\r', '\n', '\t', '\x1b', '\u0085', '\u200b', '\u202e', '\u2028', '\u2019', 'é', '\ud800'];
    let seed = 7;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31);
    const word = () => Array.from({ length: 1 + (next() % 8) }, () => alphabet[next() % alphabet.length]).join('');
    for (let i = 0; i < 3000; i++) {
      const target = pod({ context: word(), namespace: next() % 2 ? 'shop' : word(), name: next() % 2 ? 'web-1' : word(), kind: next() % 2 ? 'Pod' : word() });
      for (const shell of SHELLS) {
        const r = kubectlEventsCommand(target, shell);
        const text = r.ok ? r.line + (r.contextLeftOut ?? '') : r.problem;
        assert.ok(!UNPRINTABLE.test(text), JSON.stringify(text));
      }
    }
  });

  describe('through a real /bin/sh, with a stub kubectl first on PATH', { skip: process.platform === 'win32' }, () => {
    let dir: string;
    let env: NodeJS.ProcessEnv;
    const argvFile = () => path.join(dir, 'argv');
    const canary = () => path.join(dir, 'canary');

    before(() => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kube-events-sh-'));
      fs.mkdirSync(path.join(dir, 'bin'));
      // Prints its arguments NUL-separated, so any character in them shows.
      fs.writeFileSync(path.join(dir, 'bin', 'kubectl'), `#!/bin/sh\nfor a in "$@"; do printf '%s\\0' "$a"; done > "$ARGV_OUT"\n`, { mode: 0o755 });
      // Whatever a broken quote would run instead: each leaves a mark.
      for (const cmd of ['calc', 'id', 'touch-canary']) fs.writeFileSync(path.join(dir, 'bin', cmd), `#!/bin/sh\necho ran > "$CANARY"\n`, { mode: 0o755 });
      env = { ...process.env, PATH: `${path.join(dir, 'bin')}:${process.env.PATH ?? ''}`, ARGV_OUT: argvFile(), CANARY: canary(), HOME: dir };
    });
    after(() => fs.rmSync(dir, { recursive: true, force: true }));

    function run(copied: string): string[] {
      fs.rmSync(argvFile(), { force: true });
      execFileSync('/bin/sh', ['-c', copied], { env });
      assert.ok(!fs.existsSync(canary()), `something else ran for: ${copied}`);
      return fs.readFileSync(argvFile(), 'utf8').split('\0').slice(0, -1);
    }

    it('every argument arrives intact and nothing else runs', () => {
      const cases: Array<[KubectlEventsTarget, string[]]> = [
        [pod(), ['events', '--context', 'admin', '-n', 'shop', '--for', 'Pod/web-1', '--watch']],
        [pod({ context: 'arn:aws:eks:eu-west-1:1:cluster/prod' }), ['events', '--context', 'arn:aws:eks:eu-west-1:1:cluster/prod', '-n', 'shop', '--for', 'Pod/web-1', '--watch']],
        [pod({ context: 'my ctx #1 ~x, a=b +c' }), ['events', '--context', 'my ctx #1 ~x, a=b +c', '-n', 'shop', '--for', 'Pod/web-1', '--watch']],
        [pod({ context: 'ü-ctx' }), ['events', '--context', 'ü-ctx', '-n', 'shop', '--for', 'Pod/web-1', '--watch']],
        [pod({ context: `x'; calc; #` }), ['events', '-n', 'shop', '--for', 'Pod/web-1', '--watch']],
        [pod({ context: '$(id)`id`' }), ['events', '-n', 'shop', '--for', 'Pod/web-1', '--watch']],
        [pod({ kind: 'ClusterRole', apiVersion: 'rbac.authorization.k8s.io/v1', name: 'system:controller:x', namespace: 'default' }), ['events', '--context', 'admin', '-n', 'default', '--for', 'ClusterRole/system:controller:x', '--watch']],
      ];
      for (const [target, argv] of cases) assert.deepEqual(run(line(target, 'posix')), argv);
    });

    it('a context of any characters either arrives intact or is left out, and nothing else runs', () => {
      const alphabet = ['a', '-', ' ', "'", '"', '\\', '$', '(', ')', '`', ';', '&', '|', '#', '~', '*', '?', '<', '>', 'calc', 'id', '\n', '\x03', '!'];
      let seed = 11;
      const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31);
      let kept = 0;
      for (let i = 0; i < 150; i++) {
        const context = Array.from({ length: 1 + (next() % 6) }, () => alphabet[next() % alphabet.length]).join('');
        const r = kubectlEventsCommand(pod({ context }), 'posix');
        assert.ok(r.ok);
        const argv = run(r.line);
        if (r.contextLeftOut) assert.ok(!argv.includes('--context'));
        else {
          kept++;
          assert.deepEqual(argv.slice(0, 3), ['events', '--context', context]);
        }
      }
      assert.ok(kept > 0, 'some contexts were kept');
    });
  });
});
