import type * as ClientNodeBundle from './lazy/clientNode';
import type * as YamlBundle from './lazy/yamlParser';

let clientNode: typeof ClientNodeBundle | undefined;
let yaml: typeof YamlBundle | undefined;

// esbuild.mjs turns each require below into one of the bundle beside dist/extension.js; test bundles compile the
// module in. Either way it is loaded on the first call, never by activation (docs/ARCHITECTURE.md §2).

/** @kubernetes/client-node (dist/kube.js): credentials and YAML output, from the first request to a cluster on. */
export function clientNodeBundle(): typeof ClientNodeBundle {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  clientNode ??= require('./lazy/clientNode') as typeof ClientNodeBundle;
  return clientNode;
}

/** The YAML parser (dist/yaml.js): from the first kubeconfig or manifest read on. */
export function yamlBundle(): typeof YamlBundle {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  yaml ??= require('./lazy/yamlParser') as typeof YamlBundle;
  return yaml;
}
