// trees/<commit>.json: the bytes we write (checked against Python's own json.dump where python3 runs), what
// we accept when reading one, and how the writer treats a listing already on disk.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { parseTreeListing, readTreeListing, treeListingFromRepoFiles, type TreeListing } from '../../../../src/core/cache/treeListing';
import { compareCodePoints, formatTreeListing, pythonJsonString } from '../../../../src/core/cache/treeListingJson';
import { writeTreeListing } from '../../../../src/core/cache/writeTreeListing';
import { type RepoFile } from '../../../../src/core/hub/repoFile';
import { COMMIT_A, makeTempDir } from './cacheFixture';

const REPO = 'org/model';
const TREES = path.join('models--org--model', 'trees');
const SHA = 'ab'.repeat(32);
const XET = 'CD'.repeat(32);

/** What the Hub's tree gives for a small repo: git files, an LFS file with a Xet hash, nested paths. */
const REPO_FILES: RepoFile[] = [
  { path: 'model.safetensors', size: 1234, oid: '1'.repeat(40), lfs: { sha256: SHA, size: 1234 }, xetHash: XET },
  { path: 'config.json', size: 519, oid: '2'.repeat(40) },
  { path: 'sub/dir/merges.txt', size: 7, oid: '3'.repeat(40) },
];

/** The library's json.dump(data, f, indent=1) for REPO_FILES, paths sorted: written out by hand. */
const LIBRARY_BYTES = `{
 "format_version": 1,
 "files": {
  "config.json": {
   "size": 519,
   "blob_id": "${'2'.repeat(40)}"
  },
  "model.safetensors": {
   "size": 1234,
   "blob_id": "${'1'.repeat(40)}",
   "lfs_sha256": "${SHA}",
   "lfs_size": 1234,
   "xet_hash": "${XET}"
  },
  "sub/dir/merges.txt": {
   "size": 7,
   "blob_id": "${'3'.repeat(40)}"
  }
 }
}`;

/** Python's json.dumps(..., indent=1) of the same data with sorted paths, or undefined without python3. */
function pythonDump(listing: TreeListing): string | undefined {
  const entries = Object.fromEntries([...listing].map(([p, e]) => [p, e]));
  const script = 'import json,sys\nd=json.load(sys.stdin)\nsys.stdout.write(json.dumps({"format_version":1,"files":{k:d[k] for k in sorted(d)}},indent=1))';
  try {
    return execFileSync('python3', ['-c', script], { input: JSON.stringify(entries), encoding: 'utf8' });
  } catch {
    return undefined;
  }
}

describe('tree listing (trees/<commit>.json)', () => {
  let root: string;
  let cleanup: () => Promise<void>;
  beforeEach(async () => ({ dir: root, cleanup } = await makeTempDir()));
  afterEach(() => cleanup());

  it('formats a listing byte for byte as huggingface_hub writes it: indent 1, paths sorted, field order of to_json', () => {
    const listing = treeListingFromRepoFiles(REPO_FILES);
    assert.equal(formatTreeListing(listing), LIBRARY_BYTES);
    assert.deepEqual(parseTreeListing(LIBRARY_BYTES), listing, 'and reads back what it wrote');
    assert.equal(formatTreeListing(new Map()), '{\n "format_version": 1,\n "files": {}\n}');
  });

  it("escapes and sorts the way Python's json module does (non-ASCII, DEL, quotes, numeric and astral names)", () => {
    assert.equal(pythonJsonString('é\u007f"\\/\n\u2028😀'), '"\\u00e9\\u007f\\"\\\\/\\n\\u2028\\ud83d\\ude00"');
    // UTF-16 order would put 😀 (D83D…) before U+FFFF; Python compares code points.
    assert.deepEqual(['😀', '\uffff', 'a', 'B', '_', '10', '9'].sort(compareCodePoints), ['10', '9', 'B', '_', 'a', '\uffff', '😀']);
    const tricky = treeListingFromRepoFiles(
      ['2', '10', 'b/ü.json', 'a "quoted" \\ name', '😀.txt', '\uffff.txt', 'tab\tname'].map((p, i) => ({ path: p, size: i, oid: String(i).repeat(40) })),
    );
    const ours = formatTreeListing(tricky);
    assert.deepEqual(parseTreeListing(ours), tricky);
    const python = pythonDump(tricky);
    if (python !== undefined) assert.equal(ours, python, 'identical to json.dumps(indent=1)');
  });

  it('reads only what the library would read: format version 1, a files map, valid Xet hashes', () => {
    const base = JSON.parse(LIBRARY_BYTES) as { files: Record<string, Record<string, unknown>> };
    assert.equal(parseTreeListing('{ not json'), undefined);
    assert.equal(parseTreeListing(JSON.stringify({ ...base, format_version: 2 })), undefined, 'a newer format is ignored, as Python ignores it');
    assert.equal(parseTreeListing(JSON.stringify({ format_version: 1 })), undefined);
    const badXet = { format_version: 1, files: { ...base.files, 'x.bin': { size: 1, blob_id: '4'.repeat(40), xet_hash: 'nope' } } };
    assert.equal(parseTreeListing(JSON.stringify(badXet)), undefined, 'is_valid_tree_entries refuses it');
    const badSize = { format_version: 1, files: { 'x.bin': { size: -1, blob_id: '4'.repeat(40) } } };
    assert.equal(parseTreeListing(JSON.stringify(badSize)), undefined);
    assert.equal(parseTreeListing(JSON.stringify({ format_version: 1, files: {} }))?.size, 0, 'an empty repo is a valid listing');
  });

  it('writes through a temporary file into trees/, and keeps a usable listing already there', async () => {
    const listing = treeListingFromRepoFiles(REPO_FILES);
    const first = await writeTreeListing({ root, repoId: REPO, commit: COMMIT_A, listing });
    assert.equal(first.file, path.join(root, TREES, `${COMMIT_A}.json`));
    assert.equal(first.written, true);
    assert.equal(await fs.readFile(first.file, 'utf8'), LIBRARY_BYTES);
    assert.deepEqual(await fs.readdir(path.join(root, TREES)), [`${COMMIT_A}.json`], 'no temporary file left');

    // A commit's file list never changes: an existing one (maybe the library's) is not rewritten.
    const libraryCopy = LIBRARY_BYTES.replace('"size": 519', '"size": 520');
    await fs.writeFile(first.file, libraryCopy);
    assert.equal((await writeTreeListing({ root, repoId: REPO, commit: COMMIT_A, listing })).written, false);
    assert.equal(await fs.readFile(first.file, 'utf8'), libraryCopy);

    // One the library would ignore (broken, another version) is replaced.
    await fs.writeFile(first.file, '{"format_version": 1, "files": {"a": ');
    assert.equal((await writeTreeListing({ root, repoId: REPO, commit: COMMIT_A, listing })).written, true);
    assert.deepEqual(await readTreeListing(first.file), listing);
  });

  it('does not write a listing with a malformed Xet hash, like the library', async () => {
    const listing = treeListingFromRepoFiles([{ ...REPO_FILES[0]!, xetHash: 'not-a-hash' }]);
    const result = await writeTreeListing({ root, repoId: REPO, commit: COMMIT_A, listing });
    assert.equal(result.written, false);
    await assert.rejects(fs.access(result.file));
  });
});
