// The Hugging Face Hub stand-in as its own process, with its control port for faults and repos.
import { startFixtureProcess } from './fixtureProcess.mjs';

/**
 * @param {{ args?: string[], outDir?: string }} options extra flags for main.js (e.g. --seed-models --weight-bytes N)
 * @returns {Promise<{ endpoint: string, cdnOrigin: string, controlUrl: string, setFault(spec: object): Promise<void>, clearFaults(): Promise<void>, setRepo(repo: object): Promise<void>, stop(): Promise<void> }>}
 */
export async function startHubStandinProcess({ args = [], outDir = 'out' } = {}) {
  const { info, stop } = await startFixtureProcess('hubStandin', ['--control', ...args], outDir);
  const control = async (method, route, body) => {
    const res = await fetch(`${info.controlUrl}${route}`, { method, body: body === undefined ? undefined : JSON.stringify(body) });
    if (!res.ok) throw new Error(`stand-in control ${method} ${route}: ${res.status} ${await res.text()}`);
  };
  return {
    ...info,
    setFault: (spec) => control('POST', '/faults', spec),
    clearFaults: () => control('DELETE', '/faults'),
    setRepo: (repo) => control('POST', '/repos', repo),
    stop,
  };
}
