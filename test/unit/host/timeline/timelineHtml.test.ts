import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { contentSecurityPolicy, makeNonce, renderHtml, type TimelineHtmlOptions } from '../../../../src/host/timeline/renderHtml';
import { TIMELINE_COLUMNS } from '../../../../src/protocol/webview';

const CSP_SOURCE = 'https://file+.vscode-resource.vscode-cdn.net';
const SCRIPT = 'https://file+.vscode-resource.vscode-cdn.net/ext/dist/webview.js';
const STYLE = 'https://file+.vscode-resource.vscode-cdn.net/ext/media/timeline.css';

function options(overrides: Partial<TimelineHtmlOptions> = {}): TimelineHtmlOptions {
  return { cspSource: CSP_SOURCE, nonce: makeNonce(), scriptUri: SCRIPT, styleUri: STYLE, ...overrides };
}

function cspOf(html: string): string {
  const m = /<meta http-equiv="Content-Security-Policy" content="([^"]*)">/.exec(html);
  assert.ok(m, 'CSP meta tag present');
  return m[1];
}

/** Every URL the page loads: src and href attributes. */
function urls(html: string): string[] {
  return [...html.matchAll(/\s(?:src|href)="([^"]*)"/g)].map((m) => m[1]);
}

describe('timeline renderHtml', () => {
  it('sets exactly the documented CSP', () => {
    const nonce = makeNonce();
    const html = renderHtml(options({ nonce }));
    assert.equal(
      cspOf(html),
      `default-src 'none'; script-src 'nonce-${nonce}'; style-src ${CSP_SOURCE}; font-src ${CSP_SOURCE}; img-src ${CSP_SOURCE}`,
    );
    assert.equal(contentSecurityPolicy(CSP_SOURCE, nonce), cspOf(html));
  });

  it('never allows unsafe-inline, unsafe-eval, connect-src or vscode-resource:', () => {
    const html = renderHtml(options());
    assert.doesNotMatch(html, /unsafe-/);
    assert.doesNotMatch(html, /connect-src/);
    assert.doesNotMatch(html, /vscode-resource:/);
  });

  it('puts the nonce on the one script tag, which loads the given script URI', () => {
    const nonce = makeNonce();
    const html = renderHtml(options({ nonce }));
    const scripts = [...html.matchAll(/<script\b([^>]*)>/g)].map((m) => m[1]);
    assert.deepEqual(scripts, [` nonce="${nonce}" src="${SCRIPT}"`]);
  });

  it('has no inline script or style, and no style attributes', () => {
    const html = renderHtml(options());
    assert.doesNotMatch(html, /<script(?![^>]*\bsrc=)[^>]*>/);
    assert.doesNotMatch(html, /<style\b/);
    assert.doesNotMatch(html, /\sstyle=/);
    assert.doesNotMatch(html, /\son[a-z]+=/i);
  });

  it('loads only the given URIs', () => {
    assert.deepEqual(urls(renderHtml(options())).sort(), [SCRIPT, STYLE].sort());
    const codicon = 'https://file+.vscode-resource.vscode-cdn.net/ext/media/codicon.css';
    assert.deepEqual(urls(renderHtml(options({ codiconUri: codicon }))).sort(), [SCRIPT, STYLE, codicon].sort());
  });

  it('makes a fresh 128-bit nonce each time', () => {
    const nonces = new Set(Array.from({ length: 200 }, () => makeNonce()));
    assert.equal(nonces.size, 200);
    for (const n of nonces) assert.match(n, /^[A-Za-z0-9_-]{22}$/);
    const a = renderHtml(options());
    const b = renderHtml(options());
    assert.notEqual(/nonce="([^"]+)"/.exec(a)?.[1], /nonce="([^"]+)"/.exec(b)?.[1]);
  });

  it('refuses a weak nonce', () => {
    assert.throws(() => renderHtml(options({ nonce: '' })), RangeError);
    assert.throws(() => renderHtml(options({ nonce: 'abc' })), RangeError);
    assert.throws(() => renderHtml(options({ nonce: `${'a'.repeat(20)}' 'unsafe-inline` })), RangeError);
  });

  it('escapes URIs into attributes', () => {
    const html = renderHtml(options({ styleUri: 'https://x/a.css?"><script>alert(1)</script>' }));
    assert.doesNotMatch(html, /<script>alert/);
    assert.match(html, /href="https:\/\/x\/a\.css\?&quot;&gt;&lt;script&gt;/);
  });

  it('contains the static skeleton: filter box, error line, status, lanes, table header with every column', () => {
    const html = renderHtml(options());
    for (const id of ['filter', 'filter-error', 'status', 'lanes', 'lanes-body', 'time-range', 'zoom-in', 'zoom-out', 'table', 'table-header', 'viewport', 'spacer', 'rows', 'open-resource']) {
      assert.match(html, new RegExp(`id="${id}"`), id);
    }
    const headers = [...html.matchAll(/data-column="(\w+)">([^<]+)</g)].map((m) => [m[1], m[2]]);
    assert.deepEqual(headers, TIMELINE_COLUMNS.map(([id, label]) => [id, label]));
    assert.deepEqual(
      headers.map(([, label]) => label),
      ['Last Seen', 'Cluster', 'Type', 'Reason', 'Object', 'Message', 'Count', 'Source', 'Written Via', 'Namespace', 'First Seen'],
    );
    assert.match(html, /<title>Kube Events: Timeline<\/title>/);
  });
});
