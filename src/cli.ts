import { runCli } from './cli/runCli';

void runCli(process.argv.slice(2), { stdout: (t) => process.stdout.write(t), stderr: (t) => process.stderr.write(t) }, __EXTENSION_VERSION__).then((code) => {
  process.exitCode = code;
});
