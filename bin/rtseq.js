#!/usr/bin/env node
// The `rtseq` command. TypeScript runs by Node's type stripping, which needs Node 24: npm and npx
// put the project's own Node 24 (devDependency `node`) first on PATH.
const [major] = process.versions.node.split('.').map(Number);
if (major < 24) {
  process.stderr.write(
    `rtseq needs Node.js 24 or later (this is ${process.version}); run it through npx or npm.\n`,
  );
  process.exit(1);
}
const { runAsProgram } = await import('../src/cli/main.ts');
await runAsProgram(process.argv.slice(2));
