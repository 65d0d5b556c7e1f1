import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { checkGeminiKey } from '../../../src/core/chat/checkGeminiKey';
import { GeminiBackend } from '../../../src/core/chat/geminiBackend';
import { collect } from './chatHarness';

describe('Gemini stand-in as a process (main.ts)', () => {
  it('prints its base URL, serves chat and the key check, and stops on SIGTERM', async () => {
    const main = path.join(__dirname, '..', '..', 'fixtures', 'geminiStandin', 'main.js');
    const child = spawn(process.execPath, [main, '--key', 'demo-key'], { stdio: ['ignore', 'pipe', 'inherit'] });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      const [line] = await new Promise<string[]>((resolve) => createInterface({ input: child.stdout! }).once('line', (l) => resolve([l])));
      const { baseUrl } = JSON.parse(line!) as { baseUrl: string };
      assert.match(baseUrl, /^http:\/\/127\.0\.0\.1:\d+$/);
      assert.equal((await checkGeminiKey({ apiKey: 'demo-key', baseUrl })).ok, true);
      assert.equal((await checkGeminiKey({ apiKey: 'test-gemini-key', baseUrl })).ok, false);
      const result = await collect(new GeminiBackend({ apiKey: 'demo-key', baseUrl }).stream([{ role: 'user', content: 'ping' }], {}));
      assert.equal(result.text, 'Gemini says: ping');
    } finally {
      child.kill('SIGTERM');
    }
    assert.equal(await exited, 0);
  });
});
