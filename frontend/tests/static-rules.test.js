// Guards for the strict CSP and the "user text only as text" rule, checked on
// the source itself: no inline scripts, handlers or styles in index.html, and
// no HTML-string sinks or eval in the modules.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const appDir = join(root, 'static', 'app');
const clientDir = join(root, 'client', 'src');

function walk(dir) {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? walk(p) : [p];
  });
}

test('index.html: one external module script, no inline script/handler/style, three template variables and only i18n tags', () => {
  const html = readFileSync(join(root, 'index.html'), 'utf8');
  const scripts = [...html.matchAll(/<script\b[^>]*>([\s\S]*?)<\/script>/gi)];
  assert.equal(scripts.length, 1);
  assert.match(scripts[0][0], /^<script type="module" src="\/static\/app\/main\.js"><\/script>$/);
  assert.equal(scripts[0][1].trim(), '');
  assert.doesNotMatch(html, /\son[a-z]+\s*=/i, 'inline event handler');
  assert.doesNotMatch(html, /\sstyle\s*=/i, 'inline style attribute');
  assert.doesNotMatch(html, /<style\b/i, 'inline <style>');
  // Template tags only for the shell's language (what shows before or without JavaScript): {% load i18n %},
  // the request's language and its direction for <html lang dir>, and {% translate "…" %} of literal text.
  const tags = [...html.matchAll(/\{%([\s\S]*?)%\}/g)].map((m) => m[1].trim());
  const allowed = [/^load i18n$/, /^get_current_language as language$/, /^get_current_language_bidi as right_to_left$/,
    /^if right_to_left$/, /^else$/, /^endif$/, /^translate "[^"{}%]+"$/];
  for (const tag of tags) assert.ok(allowed.some((rule) => rule.test(tag)), `template tag {% ${tag} %}`);
  assert.equal(tags.filter((tag) => tag.startsWith('translate ')).length, 3, 'skip link, loading line, noscript');
  assert.match(html, /<html lang="\{\{ language \}\}" dir="\{% if right_to_left %\}rtl\{% else %\}ltr\{% endif %\}">/);
  const vars = [...html.matchAll(/\{\{[\s\S]*?\}\}/g)].map((m) => m[0]);
  // The third: your own pages (GATEHOUSE_APP_PAGES) as JSON, autoescaped in an attribute (extensions.js).
  assert.deepEqual(vars, ['{{ language }}', '{{ signup_enabled|yesno:"true,false" }}', '{{ app_pages }}']);
  assert.match(html, /<meta name="app-pages" content="\{\{ app_pages \}\}">/);
  assert.match(html, /<meta name="signup-enabled" content="\{\{ signup_enabled\|yesno:"true,false" \}\}">/);
  for (const m of html.matchAll(/(?:src|href)="([^"]+)"/g)) {
    assert.ok(m[1].startsWith('/static/app/') || m[1].startsWith('/static/client/') || m[1] === '#main', m[1]);
  }
});

test('modules never build HTML from strings, eval code, or set inline styles/handlers', () => {
  const banned = [
    /\.innerHTML\b/,
    /\.outerHTML\b/,
    /insertAdjacentHTML/,
    /document\.write/,
    /\beval\s*\(/,
    /new\s+Function\s*\(/,
    /setAttribute\(\s*['"](?:style|on[a-z]+)['"]/,
    /\.style\.[a-zA-Z]+\s*=/,
    /\.cssText\b/,
  ];
  const files = [...walk(appDir), ...walk(clientDir)].filter((f) => f.endsWith('.js'));
  assert.ok(files.length >= 10);
  for (const file of files) {
    const src = readFileSync(file, 'utf8');
    for (const re of banned) assert.doesNotMatch(src, re, `${file}: ${re}`);
  }
});

test('only main.js (and the package index.js) touch browser globals; the other modules take them as arguments', () => {
  const globals = /\b(?:window|localStorage|navigator|sessionStorage|globalThis)\b|\bfetch\s*\(/;
  const modules = [
    ...['router.js', 'format.js', 'ua.js', 'activity.js'].map((name) => join(appDir, name)),
    ...['api.js', 'token-store.js', 'backoff.js', 'webauthn.js', 'keep-fresh.js'].map((name) => join(clientDir, name)),
  ];
  for (const file of modules) {
    const name = file.split('/').pop();
    const src = readFileSync(file, 'utf8')
      .replace(/\/\/.*$/gm, '')
      .replace(/\/\*[\s\S]*?\*\//g, '');
    // api.js calls its injected `fetch` parameter; allow that one identifier.
    const cleaned = name === 'api.js' ? src.replace(/\bfetch\s*\(/g, 'injectedFetch(') : src;
    assert.doesNotMatch(cleaned, globals, file);
  }
});
