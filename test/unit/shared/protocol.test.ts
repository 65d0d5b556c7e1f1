import assert from 'node:assert/strict';
import { type ChatTurn, type HostToWebview, parseHistory, parseHostMessage, parseTurn, parseWebviewMessage, type WebviewToHost } from '../../../src/shared/protocol';

const turn: ChatTurn = {
  id: 't1',
  text: 'Hi',
  prompt: 'Hi',
  reply: 'Hello',
  reasoning: 'thinking',
  status: 'done',
  route: { backend: 'gemini', model: 'gemini-2.5-flash', fallbackReason: 'Llama 3.2 3B Instruct 4-bit is not downloaded.', downloadRepoId: 'mlx-community/Llama-3.2-3B-Instruct-4bit' },
  metrics: { timeToFirstTokenMs: 120, tokensPerSecond: 42.5, durationMs: 900, promptTokens: 10, completionTokens: 30 },
};
const state = { backend: 'mlx', models: [{ repoId: 'a/b', label: 'B', downloaded: true }], selectedModel: 'a/b' } as const;

describe('chat protocol: messages from the webview', () => {
  const valid: WebviewToHost[] = [
    { type: 'ready' },
    { type: 'send', text: 'Explain this' },
    { type: 'send', text: 'Explain this', includeSelection: true, includeActiveFile: true },
    { type: 'stop' },
    { type: 'regenerate' },
    { type: 'newChat' },
    { type: 'copyCode', code: 'x = 1' },
    { type: 'insertCode', code: 'x = 1' },
    { type: 'newFile', code: 'x = 1', language: 'python' },
    { type: 'pickBackend', backend: 'gemini' },
    { type: 'pickModel', repoId: 'mlx-community/Llama-3.2-1B-Instruct-4bit' },
    { type: 'download', repoId: 'mlx-community/Llama-3.2-1B-Instruct-4bit' },
    { type: 'action', id: 'setGeminiKey' },
    { type: 'action', id: 'showLogs' },
    { type: 'action', id: 'downloadModel' },
    { type: 'action', id: 'openSettings' },
    { type: 'openLink', url: 'https://example.com/a?b=c' },
  ];
  for (const message of valid) {
    it(`accepts ${message.type}${'id' in message ? ` ${message.id}` : ''}${'includeSelection' in message ? ' with context' : ''}`, () => {
      assert.deepEqual(parseWebviewMessage(message), message);
    });
  }

  it('drops unknown fields instead of passing them on', () => {
    assert.deepEqual(parseWebviewMessage({ type: 'stop', extra: 'x' }), { type: 'stop' });
    assert.deepEqual(parseWebviewMessage({ type: 'send', text: 'a', includeSelection: false, evil: 1 }), { type: 'send', text: 'a' });
  });

  const malformed: [string, unknown][] = [
    ['null', null],
    ['a string', 'ready'],
    ['an array', [{ type: 'ready' }]],
    ['no type', { text: 'hi' }],
    ['an unknown type', { type: 'runCommand', command: 'workbench.action.quit' }],
    ['send without text', { type: 'send' }],
    ['send with blank text', { type: 'send', text: '   ' }],
    ['send with a number', { type: 'send', text: 42 }],
    ['send with a non-boolean flag', { type: 'send', text: 'a', includeSelection: 'yes' }],
    ['send with huge text', { type: 'send', text: 'x'.repeat(200_001) }],
    ['insertCode without code', { type: 'insertCode' }],
    ['newFile without language', { type: 'newFile', code: 'x' }],
    ['an unknown backend', { type: 'pickBackend', backend: 'openai' }],
    ['pickModel with an empty id', { type: 'pickModel', repoId: '' }],
    ['download with an object id', { type: 'download', repoId: { toString: () => 'a/b' } }],
    ['an unknown action', { type: 'action', id: 'deleteModel' }],
    ['a javascript: link', { type: 'openLink', url: 'javascript:alert(1)' }],
    ['a command: link', { type: 'openLink', url: 'command:workbench.action.quit' }],
    ['a file: link', { type: 'openLink', url: 'file:///etc/passwd' }],
  ];
  for (const [name, value] of malformed) {
    it(`drops ${name}`, () => assert.equal(parseWebviewMessage(value), undefined));
  }
});

describe('chat protocol: messages from the host', () => {
  const valid: HostToWebview[] = [
    { type: 'init', history: [turn], version: '0.1.0', ...state },
    { type: 'state', ...state },
    { type: 'turnStart', turn: { id: 't2', text: 'Q', prompt: 'Q\n\ncontext', contextLabel: 'app.ts', reply: '', reasoning: '', status: 'streaming' } },
    { type: 'delta', turnId: 't2', kind: 'text', text: 'He' },
    { type: 'delta', turnId: 't2', kind: 'reasoning', text: 'Hmm' },
    { type: 'route', turnId: 't2', route: { backend: 'mlx', model: 'a/b' } },
    { type: 'route', turnId: 't2', route: { backend: 'gemini', model: 'gemini-2.5-flash', fallbackReason: 'x is not downloaded.', downloadRepoId: 'a/x' } },
    { type: 'done', turnId: 't2', status: 'done', metrics: { timeToFirstTokenMs: 5, tokensPerSecond: 100 } },
    { type: 'done', turnId: 't2', status: 'cancelled', metrics: {} },
    { type: 'error', turnId: 't2', error: { message: 'No key', actions: ['setGeminiKey', 'openSettings'] } },
    { type: 'reset', history: [] },
    { type: 'reset', history: [turn, { ...turn, id: 't3', status: 'error', error: { message: 'm', actions: ['showLogs'] } }] },
  ];
  for (const message of valid) {
    it(`accepts ${message.type}`, () => assert.deepEqual(parseHostMessage(message), message));
  }

  const malformed: [string, unknown][] = [
    ['an unknown type', { type: 'eval', code: '1' }],
    ['init without history', { type: 'init', version: '1', ...state }],
    ['init with a malformed turn', { type: 'init', history: [{ ...turn, status: 'weird' }], version: '1', ...state }],
    ['state with an unknown backend', { ...state, type: 'state', backend: 'x' }],
    ['state with a malformed model', { ...state, type: 'state', models: [{ repoId: 'a/b' }] }],
    ['delta of an unknown kind', { type: 'delta', turnId: 't', kind: 'html', text: '<b>' }],
    ['delta without a turn', { type: 'delta', kind: 'text', text: 'x' }],
    ['route without a model', { type: 'route', turnId: 't', route: { backend: 'mlx' } }],
    ['done with an unknown status', { type: 'done', turnId: 't', status: 'exploded', metrics: {} }],
    ['done with negative metrics', { type: 'done', turnId: 't', status: 'done', metrics: { tokensPerSecond: -1 } }],
    ['done with NaN metrics', { type: 'done', turnId: 't', status: 'done', metrics: { durationMs: Number.NaN } }],
    ['error with an unknown action', { type: 'error', turnId: 't', error: { message: 'x', actions: ['rm -rf'] } }],
    ['reset with a non-array', { type: 'reset', history: {} }],
  ];
  for (const [name, value] of malformed) {
    it(`drops ${name}`, () => assert.equal(parseHostMessage(value), undefined));
  }
});

describe('chat protocol: stored history', () => {
  it('accepts a valid history and rejects a list with one malformed turn', () => {
    assert.deepEqual(parseHistory([turn]), [turn]);
    assert.equal(parseHistory([turn, { id: 'x' }]), undefined);
    assert.equal(parseHistory('[]'), undefined);
  });

  it('strips unknown fields of a turn', () => {
    assert.deepEqual(parseTurn({ ...turn, html: '<script>' }), turn);
  });
});
