// Chat panel entry point (bundled to dist/webview/main.js): builds the UI, completes the ready
// handshake, and applies each validated host message. DOMPurify here is the browser's own instance.
import DOMPurify from 'dompurify';
import { type HostToWebview, parseHostMessage } from '../../src/shared/protocol';
import { Composer } from './composer';
import './elements';
import { createMarkdownRenderer } from './renderMarkdown';
import { Toolbar } from './toolbar';
import { Transcript } from './transcript';
import { loadUiState, post, saveUiState } from './vscodeApi';

const initial = loadUiState();
const render = createMarkdownRenderer(DOMPurify);
const toolbar = new Toolbar(post);
const transcript = new Transcript(render, post, (scrollTop) => saveUiState({ scrollTop }));
const composer = new Composer(post, saveUiState, initial);
const app = document.getElementById('app') ?? document.body;
app.replaceChildren(toolbar.el, transcript.el, composer.el);

let restoredScroll = false;

function syncBusy(): void {
  const last = transcript.last;
  composer.setBusy(last?.status === 'streaming', last !== undefined);
}

function apply(message: HostToWebview): void {
  switch (message.type) {
    case 'init':
      document.body.dataset.version = message.version;
      toolbar.apply(message);
      // The first init after a reload restores where the user had scrolled to.
      transcript.reset(message.history, restoredScroll ? undefined : initial.scrollTop);
      restoredScroll = true;
      app.removeAttribute('aria-busy');
      composer.focus();
      break;
    case 'state':
      toolbar.apply(message);
      break;
    case 'turnStart':
      transcript.add(message.turn);
      break;
    case 'delta':
      transcript.get(message.turnId)?.append(message.kind, message.text);
      transcript.schedule();
      break;
    case 'route':
      transcript.get(message.turnId)?.setRoute(message.route);
      break;
    case 'done':
      transcript.get(message.turnId)?.finish(message.status, message.metrics);
      transcript.schedule();
      break;
    case 'error':
      transcript.get(message.turnId)?.fail(message.error);
      transcript.schedule();
      break;
    case 'reset':
      transcript.reset(message.history);
      break;
  }
  syncBusy();
}

window.addEventListener('message', (event: MessageEvent<unknown>) => {
  const message = parseHostMessage(event.data);
  if (message) apply(message);
});

// Escape stops the answer from anywhere in the panel, not only from the text box.
window.addEventListener('keydown', (e) => {
  if (e.key === 'Escape' && !e.defaultPrevented && composer.isBusy) post({ type: 'stop' });
});

post({ type: 'ready' });
