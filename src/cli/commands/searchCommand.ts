import { type CliContext } from '../cliContext';

/** `search <query>`: Hub models by downloads, from mlx-community unless `--author` says otherwise. */
export async function searchCommand(ctx: CliContext, query: string, author: string, limit: number): Promise<number> {
  const results = await ctx.hub.searchModels({ search: query, author: author || undefined, sort: 'downloads', limit, signal: ctx.io.signal });
  for (const m of results) {
    ctx.print(m, `${m.id.padEnd(60)} ${String(m.downloads ?? 0).padStart(9)} downloads ${String(m.likes ?? 0).padStart(6)} likes`);
  }
  if (results.length === 0 && !ctx.options.json) ctx.io.stderr(`no models match "${query}"${author ? ` by ${author}` : ''}\n`);
  return 0;
}
