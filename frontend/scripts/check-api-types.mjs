// Fails when src/api/schema.d.ts is not what openapi-typescript makes of openapi.json (the
// server's document, itself checked against the server by a Rust test): the dashboard's types
// cannot silently drift from the API.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const dir = mkdtempSync(join(tmpdir(), 'securescan-api-types-'));
try {
  const fresh = join(dir, 'schema.d.ts');
  execFileSync('npx', ['openapi-typescript', 'openapi.json', '-o', fresh], { stdio: 'pipe' });
  if (readFileSync(fresh, 'utf8') !== readFileSync('src/api/schema.d.ts', 'utf8')) {
    console.error('src/api/schema.d.ts is stale: run `npm run api:types` in frontend/ and commit it');
    process.exit(1);
  }
  console.log('api types: current');
} finally {
  rmSync(dir, { recursive: true, force: true });
}
