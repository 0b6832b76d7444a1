#!/usr/bin/env node
// The `rtseq` command. TypeScript runs by Node's type stripping, which needs Node 24. Node 24 is
// one of rtseq's own dependencies (the `node` package): `npm ci` puts it in node_modules/.bin,
// which npx and npm scripts put first on PATH; systemd and containers call it by its path.
const [major] = process.versions.node.split('.').map(Number);
if (major < 24) {
  process.stderr.write(
    `rtseq needs Node.js 24 or later, and this is ${process.version} (${process.execPath}).\n` +
      'Install the dependencies (npm ci --omit=dev brings Node 24 into node_modules/.bin), then run\n' +
      '`npx rtseq …` or `node_modules/.bin/node bin/rtseq.js …` in the rtseq directory.\n',
  );
  process.exit(1);
}
// The heap policy applies before the CLI's modules load (see src/main.ts).
const { applyHeapPolicy } = await import('../src/wiring/heap-policy.ts');
applyHeapPolicy();
const { runAsProgram } = await import('../src/cli/main.ts');
await runAsProgram(process.argv.slice(2));
