import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { Settings } from '../../src/vscode/config/settings';
import { handleRequest } from '../../src/vscode/chatParticipant/mlxParticipant';
import { getApi } from './helpers';

const LOCAL = 'mlx-community/Llama-3.2-1B-Instruct-4bit';

/** Records what the participant writes, as VS Code's chat view would show it. */
class RecordingStream {
  readonly parts: string[] = [];
  readonly buttons: vscode.Command[] = [];
  markdown(value: string | vscode.MarkdownString) {
    this.parts.push(typeof value === 'string' ? value : value.value);
  }
  progress(value: string) {
    this.parts.push(`[progress] ${value}`);
  }
  button(command: vscode.Command) {
    this.buttons.push(command);
  }
  get text() {
    return this.parts.filter((p) => !p.startsWith('[progress]')).join('');
  }
}

describe('chat surfaces in a real VS Code: @mlx participant and the model picker', function () {
  this.timeout(90_000);
  const settings = new Settings();
  const log = vscode.window.createOutputChannel('MLX chat test', { log: true });

  async function ask(prompt: string, command?: string, token = new vscode.CancellationTokenSource().token) {
    const api = await getApi();
    const stream = new RecordingStream();
    const request = { prompt, command, references: [], toolReferences: [], toolInvocationToken: undefined, model: undefined } as unknown as vscode.ChatRequest;
    const result = await handleRequest(
      { inference: api.inference, services: api.services, settings, extensionUri: vscode.Uri.file('/'), log },
      request,
      { history: [] } as vscode.ChatContext,
      stream as unknown as vscode.ChatResponseStream,
      token,
    );
    return { stream, result };
  }

  before(async () => {
    assert.equal(await vscode.commands.executeCommand('mlx.downloadModel', LOCAL), true);
    await vscode.commands.executeCommand('mlx.selectModel', LOCAL);
  });

  after(async () => {
    await vscode.commands.executeCommand('mlx.stopRunner');
    await vscode.workspace.getConfiguration('mlx').update('selectedModel', undefined, vscode.ConfigurationTarget.Global);
    settings.dispose();
    log.dispose();
  });

  it('@mlx streams the local model\'s answer through the router', async () => {
    const { stream, result } = await ask('Hello participant');
    assert.match(stream.text, /You said: Hello participant/);
    assert.ok(stream.parts.some((p) => p.startsWith('[progress] Asking Llama-3.2-1B-Instruct-4bit')));
    assert.deepEqual(result.metadata, { backend: 'mlx' });
  });

  it('@mlx /models lists downloaded models and offers downloads', async () => {
    const { stream } = await ask('', 'models');
    assert.match(stream.text, /\*\*Downloaded models\*\*[\s\S]*Llama 3\.2 1B Instruct 4-bit — \*active\*/);
    assert.ok(stream.buttons.some((b) => b.command === 'mlx.downloadModel'));
  });

  it('@mlx /use switches the model by a few words of its name, and refuses one not downloaded', async () => {
    const { stream } = await ask('3.1 8b', 'use');
    assert.match(stream.text, /Llama 3\.1 8B Instruct 4-bit is not downloaded yet/);
    assert.equal(stream.buttons[0]?.command, 'mlx.downloadModel');
    const ok = await ask('1b instruct', 'use');
    assert.match(ok.stream.text, /Now using \*\*Llama 3\.2 1B Instruct 4-bit\*\*/);
  });

  it('@mlx stops when the request is cancelled', async () => {
    const source = new vscode.CancellationTokenSource();
    source.cancel();
    const { result } = await ask('Never mind', undefined, source.token);
    assert.equal((result.metadata as { cancelled?: boolean }).cancelled, true);
  });

  it('offers downloaded models in VS Code\'s model picker, and answers through them', async () => {
    const models = await vscode.lm.selectChatModels({ vendor: 'mlx' });
    const model = models.find((m) => m.id === LOCAL);
    assert.ok(model, `found ${models.map((m) => m.id).join(', ')}`);
    assert.equal(model.name, 'Llama 3.2 1B Instruct 4-bit');
    assert.ok(model.maxInputTokens > 1000, `maxInputTokens ${model.maxInputTokens} from config.json`);
    const response = await model.sendRequest([vscode.LanguageModelChatMessage.User('Hello picker')], {}, new vscode.CancellationTokenSource().token);
    let text = '';
    for await (const chunk of response.text) text += chunk;
    assert.match(text, /You said: Hello picker/);
    assert.ok((await model.countTokens('four score and seven years')) > 0);
  });

  it('drops a model from the picker once it is deleted', async () => {
    const other = 'mlx-community/DeepSeek-R1-Distill-Qwen-1.5B-4bit';
    assert.equal(await vscode.commands.executeCommand('mlx.downloadModel', other), true);
    const changed = new Promise<void>((resolve) => {
      const l = vscode.lm.onDidChangeChatModels(() => {
        l.dispose();
        resolve();
      });
    });
    await vscode.commands.executeCommand('mlx.deleteModel', other, { confirmed: true });
    await changed;
    const ids = (await vscode.lm.selectChatModels({ vendor: 'mlx' })).map((m) => m.id);
    assert.ok(!ids.includes(other), ids.join(', '));
  });
});
