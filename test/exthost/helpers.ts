import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as vscode from 'vscode';
import { type ModelEntry } from '../../src/core/models/modelEntry';
import { type ExtensionApi } from '../../src/vscode/api';
import { type ModelServices } from '../../src/vscode/models/modelServices';

export const EXTENSION_ID = 'mlxmm.mlx-model-manager';

/** Activates the extension under test and returns what `activate()` returned. */
export async function getApi(): Promise<ExtensionApi> {
  const extension = vscode.extensions.getExtension<ExtensionApi>(EXTENSION_ID);
  if (!extension) throw new Error(`${EXTENSION_ID} is not installed in this extension host`);
  return extension.activate();
}

export async function getServices(): Promise<ModelServices> {
  return (await getApi()).services;
}

/** Resolves on the next configuration change of `section` (awaits the event, no polling). */
export function nextConfigChange(section: string): Promise<void> {
  return new Promise((resolve) => {
    const listener = vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration(section)) {
        listener.dispose();
        resolve();
      }
    });
  });
}

/** Resolves when the manager reports a state of `repoId` that satisfies `test` (event-driven). */
export async function waitForModel(repoId: string, test: (entry: ModelEntry) => boolean): Promise<ModelEntry> {
  const { manager } = await getServices();
  const now = manager.get(repoId);
  if (now && test(now)) return now;
  return new Promise((resolve) => {
    const listener = manager.onDidChange(() => {
      const entry = manager.get(repoId);
      if (entry && test(entry)) {
        listener.dispose();
        resolve(entry);
      }
    });
  });
}

/** Switches a fault on the Hub stand-in process this suite runs against. */
export async function hubControl(method: 'POST' | 'DELETE', route: '/faults' | '/repos', body?: unknown): Promise<void> {
  const control = process.env.MLX_TEST_HUB_CONTROL;
  if (!control) throw new Error('MLX_TEST_HUB_CONTROL is not set: run this suite through test/exthost/run.mjs');
  const res = await fetch(`${control}${route}`, { method, body: body === undefined ? undefined : JSON.stringify(body) });
  if (!res.ok) throw new Error(`hub control ${method} ${route}: ${res.status}`);
}

/** The Hub's file list (from the stand-in the extension uses), for checking bytes on disk. */
export async function hubTree(repoId: string): Promise<{ path: string; size: number; oid: string; lfs?: { oid: string } }[]> {
  const res = await fetch(`${process.env.HF_ENDPOINT}/api/models/${repoId}/tree/main?recursive=true`);
  return ((await res.json()) as { type: string; path: string; size: number; oid: string; lfs?: { oid: string } }[]).filter((e) => e.type === 'file');
}

export async function sha256OfFile(file: string): Promise<string> {
  return createHash('sha256').update(await fs.readFile(file)).digest('hex');
}
