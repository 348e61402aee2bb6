import type { ViewMessage } from '../protocol/webview';
import type { TimelineViewState } from './viewState';

/** The part of the webview API object the timeline uses. */
export interface VsCodeApi {
  postMessage(message: ViewMessage): void;
  getState(): unknown;
  setState(state: TimelineViewState): void;
}

// Provided by VS Code inside webviews; callable once per page.
declare function acquireVsCodeApi(): VsCodeApi;

let api: VsCodeApi | undefined;

export function vscodeApi(): VsCodeApi {
  api ??= acquireVsCodeApi();
  return api;
}
