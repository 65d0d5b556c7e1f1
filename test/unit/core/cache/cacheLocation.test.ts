import assert from 'node:assert/strict';
import path from 'node:path';
import { expandPath, resolveHfHome, resolveHubCacheDir } from '../../../../src/core/cache/cacheLocation';

const HOME = path.resolve('/home/ada');

describe('cache location', () => {
  it('defaults to ~/.cache/huggingface/hub', () => {
    assert.equal(resolveHubCacheDir({}, HOME), path.join(HOME, '.cache', 'huggingface', 'hub'));
    assert.equal(resolveHfHome({}, HOME), path.join(HOME, '.cache', 'huggingface'));
  });

  it('uses XDG_CACHE_HOME for HF_HOME', () => {
    assert.equal(resolveHubCacheDir({ XDG_CACHE_HOME: '/xdg' }, HOME), path.resolve('/xdg/huggingface/hub'));
  });

  it('prefers HF_HUB_CACHE, then HUGGINGFACE_HUB_CACHE, then HF_HOME/hub', () => {
    const env = { HF_HUB_CACHE: '/a', HUGGINGFACE_HUB_CACHE: '/b', HF_HOME: '/c', XDG_CACHE_HOME: '/d' };
    assert.equal(resolveHubCacheDir(env, HOME), path.resolve('/a'));
    assert.equal(resolveHubCacheDir({ ...env, HF_HUB_CACHE: undefined }, HOME), path.resolve('/b'));
    assert.equal(resolveHubCacheDir({ HF_HOME: '/c', XDG_CACHE_HOME: '/d' }, HOME), path.resolve('/c/hub'));
  });

  it('expands ~, $VAR and ${VAR}, leaves unknown variables as written, and returns an absolute path', () => {
    assert.equal(resolveHubCacheDir({ HF_HUB_CACHE: '~/models' }, HOME), path.join(HOME, 'models'));
    assert.equal(resolveHubCacheDir({ HF_HOME: '$DATA/${NAME}', DATA: '/data', NAME: 'hf' }, HOME), path.resolve('/data/hf/hub'));
    assert.equal(expandPath('$NOPE/x', {}, HOME), '$NOPE/x');
    assert.equal(expandPath('~user/x', {}, HOME), '~user/x');
    assert.ok(path.isAbsolute(resolveHubCacheDir({ HF_HUB_CACHE: 'relative/dir' }, HOME)));
  });

  it('treats empty variables as unset', () => {
    assert.equal(resolveHubCacheDir({ HF_HUB_CACHE: '', HF_HOME: '' }, HOME), path.join(HOME, '.cache', 'huggingface', 'hub'));
  });
});
