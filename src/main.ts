/**
 * The program (`node src/main.ts serve`, `npm start`): hands the command line to the `rtseq` CLI
 * (cli/main.ts). What the server is made of is wiring/ (the composition root), which the CLI uses.
 */
import { runAsProgram } from './cli/main.ts';

if (import.meta.main) void runAsProgram(process.argv.slice(2));
