import * as vscode from 'vscode';
import { type DispatcherOptions } from '../../core/http/createDispatcher';

/**
 * VS Code's proxy settings for our own HTTP client. The extension host patches the global `fetch` for
 * proxies, but our downloads use undici directly (streaming, Range, connection pools), which sees none
 * of that: we read `http.proxy`, `http.noProxy` and `http.proxyStrictSSL` ourselves. With no `http.proxy`,
 * the `HTTPS_PROXY` / `HTTP_PROXY` / `NO_PROXY` environment variables still apply.
 */
export function readProxySettings(): DispatcherOptions {
  const http = vscode.workspace.getConfiguration('http');
  const proxy = http.get<string>('proxy')?.trim() || undefined;
  const noProxy = (http.get<string[]>('noProxy') ?? []).filter((h) => typeof h === 'string' && h.trim() !== '');
  return {
    ...(proxy ? { proxy } : {}),
    ...(noProxy.length ? { noProxy } : {}),
    strictSSL: http.get<boolean>('proxyStrictSSL') ?? true,
  };
}
