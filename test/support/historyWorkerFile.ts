import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * The history worker's bundle (dist/historyWorker.js) of this checkout, for tests and the bench, which run
 * from out/: the history service starts it as the extension does.
 */
export function historyWorkerFile(): string {
  const at = __dirname.lastIndexOf(`${path.sep}out${path.sep}`);
  const root = at >= 0 ? __dirname.slice(0, at) : process.cwd();
  const file = path.join(root, 'dist', 'historyWorker.js');
  if (!fs.existsSync(file)) throw new Error(`${file} is missing: build it with \`node esbuild.mjs --bundles=historyWorker\``);
  return file;
}
