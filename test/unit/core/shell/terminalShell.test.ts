import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { terminalShell } from '../../../../src/core/shell/terminalShell';

describe('terminalShell', () => {
  it('takes VS Code\'s defaults without a default profile: PowerShell on Windows, POSIX elsewhere', () => {
    assert.equal(terminalShell('win32', undefined, undefined), 'powershell');
    assert.equal(terminalShell('win32', null, {}), 'powershell');
    assert.equal(terminalShell('linux', undefined, undefined), 'posix');
    assert.equal(terminalShell('darwin', '', {}), 'posix');
  });

  it('reads the Windows built-in profiles by source and path', () => {
    const profiles = {
      PowerShell: { source: 'PowerShell', icon: 'terminal-powershell' },
      'Command Prompt': { path: ['${env:windir}\\Sysnative\\cmd.exe', '${env:windir}\\System32\\cmd.exe'], args: [] },
      'Git Bash': { source: 'Git Bash' },
      'Ubuntu (WSL)': { path: 'C:\\Windows\\System32\\wsl.exe', args: ['-d', 'Ubuntu'] },
      Custom: { path: 'C:\\Program Files\\PowerShell\\7\\pwsh.exe' },
    };
    assert.equal(terminalShell('win32', 'PowerShell', profiles), 'powershell');
    assert.equal(terminalShell('win32', 'Command Prompt', profiles), 'cmd');
    assert.equal(terminalShell('win32', 'Git Bash', profiles), 'posix');
    assert.equal(terminalShell('win32', 'Ubuntu (WSL)', profiles), 'posix');
    assert.equal(terminalShell('win32', 'Custom', profiles), 'powershell');
  });

  it('falls back on the profile name, then the platform default', () => {
    assert.equal(terminalShell('win32', 'Command Prompt', {}), 'cmd');
    assert.equal(terminalShell('win32', 'Windows PowerShell', undefined), 'powershell');
    assert.equal(terminalShell('win32', 'Something Else', {}), 'powershell');
    assert.equal(terminalShell('linux', 'pwsh', { pwsh: { path: '/usr/bin/pwsh' } }), 'powershell');
    assert.equal(terminalShell('linux', 'zsh', { zsh: { path: 'zsh' } }), 'posix');
    assert.equal(terminalShell('darwin', 'mystery', {}), 'posix');
  });
});
