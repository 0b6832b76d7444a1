/**
 * The program (`node src/main.ts serve`, `npm start`): hands the command line to the `rtseq` CLI
 * (cli/main.ts). What the server is made of is wiring/ (the composition root), which the CLI uses.
 * The heap policy (wiring/heap-policy.ts) applies before the CLI's modules load, since loading
 * alone would grow the young generation past its cap: the CLI is imported afterwards.
 */
import { applyHeapPolicy } from './wiring/heap-policy.ts';

if (import.meta.main) {
  applyHeapPolicy();
  const { runAsProgram } = await import('./cli/main.ts');
  await runAsProgram(process.argv.slice(2));
}
