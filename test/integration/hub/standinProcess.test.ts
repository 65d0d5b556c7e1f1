import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { createInterface } from 'node:readline';

describe('Hub stand-in: standalone process', () => {
  it('prints its endpoints as one JSON line, serves the seed models and stops on SIGTERM', async () => {
    const main = path.resolve(__dirname, '../../fixtures/hubStandin/main.js');
    const child = spawn(process.execPath, [main, '--seed-models', '--weight-bytes', '4096'], { stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      const [line] = (await once(createInterface({ input: child.stdout! }), 'line')) as [string];
      const { endpoint, cdnOrigin } = JSON.parse(line) as { endpoint: string; cdnOrigin: string };
      assert.match(endpoint, /^http:\/\/127\.0\.0\.1:\d+$/);
      assert.match(cdnOrigin, /^http:\/\/127\.0\.0\.1:\d+$/);
      const res = await fetch(`${endpoint}/api/models/mlx-community/Llama-3.2-3B-Instruct-4bit?blobs=true`);
      const info = (await res.json()) as { siblings: { rfilename: string; size: number }[] };
      assert.equal(info.siblings.find((s) => s.rfilename === 'model.safetensors')?.size, 4096);
    } finally {
      child.kill('SIGTERM');
    }
    const [code] = (await once(child, 'exit')) as [number | null];
    assert.equal(code, 0);
  });
});
