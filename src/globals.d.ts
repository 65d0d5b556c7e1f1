/** Replaced by esbuild with package.json's version (see esbuild.mjs `define`). */
declare const __EXTENSION_VERSION__: string;
