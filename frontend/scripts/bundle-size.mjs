// The JavaScript the first page load fetches (the scripts and module preloads index.html names),
// gzip-compressed as a server would send it. Fails past the budget of 150 kB.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

const BUDGET = 150 * 1024;
const index = readFileSync('dist/index.html', 'utf8');
const scripts = [...index.matchAll(/(?:src|href)="\/(assets\/[^"]+\.js)"/g)].map((m) => m[1]);
let total = 0;
for (const script of scripts) total += gzipSync(readFileSync(join('dist', script)), { level: 9 }).length;
console.log(`dashboard bundle: ${(total / 1024).toFixed(1)} kB of gzipped JavaScript for the first page (${scripts.length} files; budget ${BUDGET / 1024} kB)`);
if (scripts.length === 0 || total > BUDGET) process.exit(1);
