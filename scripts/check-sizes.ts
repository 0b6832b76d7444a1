/**
 * Fails when a source file in src/ (TypeScript, the page's JavaScript and CSS) grows past 450
 * lines (tests excepted): split it along the lines the code already draws. Function length (120,
 * TypeScript and JavaScript) is Biome's noExcessiveLinesPerFunction.
 */
import { globSync, readFileSync } from 'node:fs';

const MAX_FILE_LINES = 450;
const oversized = globSync('src/**/*.{ts,js,css}')
  .filter((file) => !file.endsWith('.test.ts') && !file.includes('.test-support.'))
  .map((file) => ({ file, lines: readFileSync(file, 'utf8').split('\n').length - 1 }))
  .filter(({ lines }) => lines > MAX_FILE_LINES);
for (const { file, lines } of oversized) console.error(`${file}: ${lines} lines (at most ${MAX_FILE_LINES})`);
process.exit(oversized.length > 0 ? 1 : 0);
