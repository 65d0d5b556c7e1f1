import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, promises as fs } from 'node:fs';
import { createServer, request as httpRequest, type Server } from 'node:http';
import { type AddressInfo } from 'node:net';
import path from 'node:path';
import * as vscode from 'vscode';
import { type GroupNode } from '../../src/vscode/models/modelTreeItems';
import { decorationFor } from '../../src/vscode/models/modelDecorations';
import { EXTENSION_ID, getApi, getServices, hubControl, hubTree, sha256OfFile, waitForModel } from './helpers';

const SMALL = 'mlx-community/Llama-3.2-1B-Instruct-4bit';
const BIG = 'mlx-community/DeepSeek-R1-Distill-Llama-8B-4bit';

describe('downloads in a real VS Code, against the Hub stand-in', function () {
  this.timeout(60_000);
  afterEach(() => hubControl('DELETE', '/faults'));

  it('downloads through the command with progress, and the bytes on disk match the Hub', async () => {
    const { manager } = await getServices();
    const progress: number[] = [];
    const listener = manager.onDidChange(() => {
      const s = manager.get(SMALL)?.status;
      if (s?.kind === 'downloading' && s.progress) progress.push(s.progress.doneBytes);
    });
    const ok = await vscode.commands.executeCommand<boolean>('mlx.downloadModel', SMALL);
    listener.dispose();
    assert.equal(ok, true);
    assert.ok(progress.length > 0, 'progress was reported');
    const entry = manager.get(SMALL)!;
    assert.equal(entry.status.kind, 'downloaded');
    const snapshot = (entry.status as { snapshotPath: string }).snapshotPath;
    assert.ok(snapshot.startsWith(process.env.HF_HUB_CACHE!), 'into the cache the environment names');
    for (const file of (await hubTree(SMALL)).filter((f) => f.lfs)) {
      assert.equal(await sha256OfFile(path.join(snapshot, file.path)), file.lfs!.oid, file.path);
    }
    const { modelsTree } = await getApi();
    const item = modelsTree.getTreeItem(modelsTree.nodeFor(SMALL)!);
    assert.match(String(item.contextValue), /;downloaded;/);
    assert.equal(decorationFor(item.resourceUri!)?.badge, '✓');
    assert.match((item.tooltip as vscode.MarkdownString).value, /revision `[0-9a-f]{8}` · 6 files · [\d.]+ MB on disk/);
  });

  it('cancel leaves a resumable partial, and resume completes it', async () => {
    await hubControl('POST', '/faults', { kind: 'stall', afterBytes: 1_000_000, ms: 30_000, origin: 'cdn', times: 1 });
    const running = vscode.commands.executeCommand<boolean>('mlx.downloadModel', BIG);
    await waitForModel(BIG, (e) => e.status.kind === 'downloading' && (e.status.progress?.doneBytes ?? 0) >= 1_000_000);
    await vscode.commands.executeCommand('mlx.cancelDownload', BIG);
    assert.equal(await running, false);
    const paused = await waitForModel(BIG, (e) => e.status.kind === 'partial');
    assert.ok((paused.status as { partialBytes: number }).partialBytes >= 1_000_000);
    const { modelsTree } = await getApi();
    assert.match(String(modelsTree.getTreeItem(modelsTree.nodeFor(BIG)!).description), /^paused · /);

    assert.equal(await vscode.commands.executeCommand<boolean>('mlx.resumeDownload', BIG), true);
    assert.equal((await getServices()).manager.get(BIG)!.status.kind, 'downloaded');
  });

  it('shows a failed download with its reason', async () => {
    const model = 'mlx-community/DeepSeek-R1-Distill-Qwen-1.5B-8bit';
    await hubControl('POST', '/faults', { kind: 'flip-byte', offset: 1000, origin: 'cdn', path: '', times: 3 });
    assert.equal(await vscode.commands.executeCommand<boolean>('mlx.downloadModel', model), false);
    const { modelsTree } = await getApi();
    const item = modelsTree.getTreeItem(modelsTree.nodeFor(model)!);
    assert.match(String(item.contextValue), /;failed;/);
    assert.match((item.tooltip as vscode.MarkdownString).value, /corrupt/);
  });

  it('delete removes the model from disk and the tree', async () => {
    const { manager } = await getServices();
    const repoDir = path.join(process.env.HF_HUB_CACHE!, 'models--mlx-community--Llama-3.2-1B-Instruct-4bit');
    assert.ok(existsSync(repoDir));
    const freed = await vscode.commands.executeCommand<number>('mlx.deleteModel', SMALL, { confirmed: true });
    assert.ok(freed > 3_000_000);
    assert.equal(existsSync(repoDir), false);
    assert.equal(manager.get(SMALL)!.status.kind, 'not-downloaded');
  });

  it('shows a model another process downloaded into the cache, after a refresh', async () => {
    await hubControl('POST', '/repos', {
      id: 'someone/Fetched-Elsewhere-4bit',
      files: [
        { path: 'config.json', content: '{"model_type":"llama","hidden_size":64,"num_hidden_layers":2,"num_attention_heads":4}' },
        { path: 'model.safetensors', size: 500_000, seed: 9 },
      ],
    });
    const cli = path.join(vscode.extensions.getExtension(EXTENSION_ID)!.extensionPath, 'dist', 'cli.js');
    const run = spawnSync(process.execPath, [cli, 'download', 'someone/Fetched-Elsewhere-4bit', '--cache-dir', process.env.HF_HUB_CACHE!, '--endpoint', process.env.HF_ENDPOINT!], { encoding: 'utf8' });
    assert.equal(run.status, 0, run.stderr);
    await vscode.commands.executeCommand('mlx.refreshModels');
    const { modelsTree } = await getApi();
    const other = ((await modelsTree.getChildren()) as GroupNode[]).find((g) => g.label === 'Other local models');
    assert.ok(other, 'an "Other local models" section appears');
    const rows = await modelsTree.getChildren(other);
    assert.deepEqual(rows.map((r) => (r.kind === 'model' ? `${r.entry.repoId}:${r.entry.status.kind}` : r.id)), ['someone/Fetched-Elsewhere-4bit:downloaded']);
  });

  it('sends downloads through the proxy in VS Code\'s http.proxy setting', async () => {
    const seen: string[] = [];
    // A plain forward proxy for http:// targets: enough to prove requests go through it.
    const proxy: Server = createServer((req, res) => {
      seen.push(req.url ?? '');
      const target = new URL(req.url!);
      const upstream = httpRequest({ host: target.hostname, port: target.port, path: target.pathname + target.search, method: req.method, headers: req.headers }, (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      });
      upstream.on('error', () => res.destroy());
      req.pipe(upstream);
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    const http = vscode.workspace.getConfiguration('http');
    try {
      await http.update('proxy', `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`, vscode.ConfigurationTarget.Global);
      assert.equal(await vscode.commands.executeCommand<boolean>('mlx.downloadModel', SMALL), true);
      assert.ok(seen.some((u) => u.includes('/api/models/mlx-community/Llama-3.2-1B-Instruct-4bit')), 'Hub API through the proxy');
      assert.ok(seen.some((u) => u.includes('/repos/')), 'CDN bytes through the proxy');
    } finally {
      await http.update('proxy', undefined, vscode.ConfigurationTarget.Global);
      await new Promise((resolve) => proxy.close(resolve));
      await fs.rm(path.join(process.env.HF_HUB_CACHE!, 'models--mlx-community--Llama-3.2-1B-Instruct-4bit'), { recursive: true, force: true });
    }
  });
});
