import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { Script } from 'node:vm';
import { bundleScript, JS_PARTS, unmodule } from './assets.ts';

const part = (file: string) => readFileSync(new URL(`./assets/js/${file}`, import.meta.url), 'utf8');

test('the served script is one valid script: no import or export left', () => {
  const bundle = bundleScript();
  assert.doesNotThrow(() => new Script(bundle));
  assert.doesNotMatch(bundle, /^\s*(import|export)\s/m);
});

test('every part imports only names another part exports, from a part served before it', () => {
  const exported = new Map<string, string>();
  for (const file of JS_PARTS) {
    const source = part(file);
    for (const [, names, from] of source.matchAll(/^import \{([^}]*)\} from '\.\/([\w-]+\.js)';$/gm)) {
      for (const name of names!.split(',').map((n) => n.trim())) {
        assert.equal(exported.get(name), from, `${file} imports ${name} from ${from}`);
      }
    }
    for (const [, name] of source.matchAll(/^export (?:async )?(?:function|const|let) (\w+)/gm)) {
      exported.set(name!, file);
    }
  }
});

test('no two parts declare the same top-level name (they share one scope when served)', () => {
  const seen = new Map<string, string>();
  for (const file of JS_PARTS) {
    const plain = unmodule(part(file));
    for (const [, name] of plain.matchAll(/^(?:async )?(?:function|const|let) (\w+)/gm)) {
      assert.equal(seen.get(name!), undefined, `${name} is declared in ${seen.get(name!)} and ${file}`);
      seen.set(name!, file);
    }
  }
  assert.ok(seen.size > 10);
});
