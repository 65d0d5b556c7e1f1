import assert from 'node:assert/strict';
import { homedir } from 'node:os';
import path from 'node:path';
import { resolveHubConfig } from '../../../../src/core/hub/hubConfig';

describe('resolveHubConfig', () => {
  const noFile = (file: string): string => {
    throw Object.assign(new Error(`ENOENT ${file}`), { code: 'ENOENT' });
  };

  it('defaults to huggingface.co, no token, online', () => {
    assert.deepEqual(resolveHubConfig({}, noFile), { endpoint: 'https://huggingface.co', token: undefined, offline: false, tokenSource: undefined });
  });

  it('takes HF_ENDPOINT without trailing slashes', () => {
    assert.equal(resolveHubConfig({ HF_ENDPOINT: 'https://hf-mirror.com//' }, noFile).endpoint, 'https://hf-mirror.com');
  });

  it('prefers HF_TOKEN, then HUGGING_FACE_HUB_TOKEN, then the token file, trimmed', () => {
    const file = () => ' hf_file\n';
    assert.equal(resolveHubConfig({ HF_TOKEN: ' hf_a ', HUGGING_FACE_HUB_TOKEN: 'hf_b' }, file).token, 'hf_a');
    assert.equal(resolveHubConfig({ HF_TOKEN: '  ', HUGGING_FACE_HUB_TOKEN: 'hf_b' }, file).token, 'hf_b');
    const fromFile = resolveHubConfig({}, file);
    assert.equal(fromFile.token, 'hf_file');
    assert.equal(fromFile.tokenSource, 'file');
    assert.equal(resolveHubConfig({}, () => '\n').token, undefined);
  });

  it('reads the token file under HF_HOME, else XDG_CACHE_HOME, else ~/.cache', () => {
    const seen: string[] = [];
    const record = (file: string) => {
      seen.push(file);
      return 'hf_x';
    };
    resolveHubConfig({ HF_HOME: '/h' }, record);
    resolveHubConfig({ XDG_CACHE_HOME: '/xdg' }, record);
    resolveHubConfig({}, record);
    resolveHubConfig({ HF_HOME: '~/hf' }, record);
    assert.deepEqual(seen, [path.join('/h', 'token'), path.join('/xdg', 'huggingface', 'token'), path.join(homedir(), '.cache', 'huggingface', 'token'), path.join(homedir(), 'hf', 'token')]);
  });

  for (const [value, offline] of [['1', true], ['ON', true], ['yes', true], ['True', true], ['0', false], ['false', false], ['', false]] as const) {
    it(`reads HF_HUB_OFFLINE=${JSON.stringify(value)} as ${offline}`, () => {
      assert.equal(resolveHubConfig({ HF_HUB_OFFLINE: value }, noFile).offline, offline);
    });
  }
});
