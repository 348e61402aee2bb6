/**
 * Entry point of the timeline webview bundle (dist/webview.js): validates every inbound message, reports its
 * own failures to the host log, and says `view/ready` once it can receive.
 */
import { MAX_VIEW_ERROR_LENGTH, isHostMessage } from '../protocol/webview';
import { TimelineApp } from './timelineApp';
import { vscodeApi } from './vscodeApi';
import { errorMessage } from '../core/text/errorMessage';

/** Characters of a malformed message's `type` quoted in the report: enough to recognise it, never a payload. */
const MAX_REPORTED_TYPE_LENGTH = 64;

const api = vscodeApi();

function report(message: string): void {
  api.postMessage({ type: 'view/error', message: message.slice(0, MAX_VIEW_ERROR_LENGTH) });
}

window.addEventListener('error', (e) => report(`${e.message} (${e.filename}:${e.lineno})`));
window.addEventListener('unhandledrejection', (e) => report(`unhandled rejection: ${errorMessage(e.reason)}`));

const app = new TimelineApp(api);

window.addEventListener('message', (e: MessageEvent<unknown>) => {
  const m = e.data;
  if (!isHostMessage(m)) {
    const type = m !== null && typeof m === 'object' && 'type' in m ? String((m).type).slice(0, MAX_REPORTED_TYPE_LENGTH) : typeof m;
    report(`ignored a malformed host message (${type})`);
    return;
  }
  app.handle(m);
});

api.postMessage({ type: 'view/ready', sort: app.sort });
