// Child process for the kill test: runs one transferFile from the options in argv[2] (JSON) and
// prints `progress <bytesDone>` lines, so the parent can SIGKILL it mid-download.
import { Agent } from 'undici';
import { transferFile, type TransferOptions } from '../../../src/core/download/transferFile';

const options = JSON.parse(process.argv[2]) as Omit<TransferOptions, 'dispatcher'>;
const dispatcher = new Agent({ bodyTimeout: 0 });
transferFile({ ...options, dispatcher, onProgress: (done) => process.stdout.write(`progress ${done}\n`) }).then(
  // Peak RSS in KiB, for memory benchmarks of large files.
  () => process.stdout.write(`finished maxRssKiB=${process.resourceUsage().maxRSS}\n`),
  (error: unknown) => {
    process.stdout.write(`failed ${String(error)}\n`);
    process.exitCode = 1;
  },
);
