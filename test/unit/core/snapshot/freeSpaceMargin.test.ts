// The free-space check before a download and the disk-full message during one: the margin kept free is
// proportionate to the download and stated apart from it, and both ask the user to free the same amount.
import assert from 'node:assert/strict';
import { freeSpaceMargin, InsufficientDiskSpaceError } from '../../../../src/core/download/diskSpace';
import { DiskFullError } from '../../../../src/core/download/transferErrors';
import { DownloadDiskFullError } from '../../../../src/core/snapshot/downloadErrors';

const MB = 1_000_000;

describe('free space kept on top of a download', () => {
  it('is 5% of the download, at least 10 MB and at most 100 MB', () => {
    assert.equal(freeSpaceMargin(0), 10 * MB);
    assert.equal(freeSpaceMargin(3 * MB), 10 * MB);
    assert.equal(freeSpaceMargin(200 * MB), 10 * MB);
    assert.equal(freeSpaceMargin(1000 * MB), 50 * MB);
    assert.equal(freeSpaceMargin(2000 * MB), 100 * MB);
    assert.equal(freeSpaceMargin(50_000 * MB), 100 * MB);
  });

  it('states the files and the margin apart, and what to free as their sum less what is free', () => {
    const error = new InsufficientDiskSpaceError('/cache', 3 * MB, 5 * MB, freeSpaceMargin(3 * MB));
    assert.match(error.message, /^Not enough disk space in \/cache: the download needs 3 MB \(\+10 MB kept free\) but only 5 MB is free\. Free up at least 8 MB /);
    const big = new InsufficientDiskSpaceError('/cache', 3_000 * MB, 21 * MB, freeSpaceMargin(3_000 * MB));
    assert.match(big.message, /needs 3 GB \(\+100 MB kept free\) but only 21 MB is free\. Free up at least 3\.1 GB/);
    // An explicit zero margin says nothing about one.
    assert.match(new InsufficientDiskSpaceError('/cache', 3 * MB, 1 * MB, 0).message, /needs 3 MB but only 1 MB is free\. Free up at least 2 MB/);
  });

  it('mid-download, asks to free exactly what the next pre-check will ask for', () => {
    const remaining = 2_400 * MB;
    const free = 40 * MB;
    const margin = freeSpaceMargin(remaining);
    const full = new DownloadDiskFullError({ repoId: 'org/tiny', path: '/cache/blob.incomplete', remainingBytes: remaining, marginBytes: margin, freeBytes: free, toFreeBytes: remaining + margin - free, bytesDone: 5, expectedSize: 10 });
    const next = new InsufficientDiskSpaceError('/cache', remaining, free, margin);
    const toFree = /free at least (\S+ \S+) and download again/i;
    assert.equal(full.message.match(toFree)?.[1], '2.5 GB');
    assert.equal(next.message.match(/Free up at least (\S+ \S+) /)?.[1], '2.5 GB');
    assert.match(full.message, /^The disk is full \(writing \/cache\/blob\.incomplete\)\. The rest of org\/tiny needs 2\.4 GB \(\+100 MB kept free\) but only 40 MB is free/);
    assert.ok(full instanceof DiskFullError, 'still a DiskFullError for the callers that offer "Show Storage"');
    assert.equal(full.bytesDone, 5);
  });
});
