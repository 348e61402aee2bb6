import type * as LanguageClientBundle from './lazy/languageClient';

let loaded: typeof LanguageClientBundle | undefined;

/**
 * The language client's bundle (dist/languageClient.js), loaded on first call: activation never pays for
 * vscode-languageclient (docs/ARCHITECTURE.md §2). esbuild.mjs turns this require into one of the bundle beside
 * dist/extension.js; test bundles compile the module in.
 */
export function languageClientBundle(): typeof LanguageClientBundle {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  loaded ??= require('./lazy/languageClient') as typeof LanguageClientBundle;
  return loaded;
}
