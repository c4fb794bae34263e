// Part of `npm run build`: writes a CommonJS-flavoured twin (`x.d.cts`) of every declaration file
// in dist/. secmon ships one ESM build; CommonJS consumers load it through Node's require(esm)
// (Node 20.19+, 22.12+), and the exports map gives them these declarations under its `require`
// condition. TypeScript with `module: node16` refuses an ESM declaration file in a CommonJS module
// (TS1479) even though Node loads it; the `.d.cts` twins describe the same API as a CommonJS
// module, so `import { AnomalyMonitor } from 'secmon'` type-checks there too.
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';

/** `./x.js` and `../y/z.js` specifiers (static, `export from` and `import()` types) become `.cjs`. */
const RELATIVE_JS_SPECIFIER = /((?:from|import)\s*\(?\s*)(['"])(\.{1,2}\/[^'"]*?)\.js\2/g;

/** The text of the `.d.cts` twin of a `.d.ts` file: relative imports point at the other twins. */
function cjsDeclaration(source: string): string {
  return source.replace(RELATIVE_JS_SPECIFIER, '$1$2$3.cjs$2');
}

async function declarationFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile() && entry.name.endsWith('.d.ts'))
    .map((entry) => join(entry.parentPath, entry.name));
}

async function main(dist: string): Promise<void> {
  const files = await declarationFiles(dist);
  if (files.length === 0) throw new Error(`no declaration files in ${dist}: run tsc first`);
  await Promise.all(
    files.map(async (file) =>
      writeFile(file.replace(/\.d\.ts$/, '.d.cts'), cjsDeclaration(await readFile(file, 'utf8'))),
    ),
  );
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(import.meta.filename)) {
  await main(resolve(process.argv[2] ?? 'dist'));
}
