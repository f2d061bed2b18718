"use strict";
/**
 * Preloaded into the jsii kernel with `node --require` (runtime/speedups.py puts it in
 * NODE_OPTIONS): the AWS provider's lib/index.js runs `require` for every one of its
 * ~2,100 resource modules as soon as the assembly loads, though a stack uses a few
 * dozen. This compiles that one file with each
 *
 *     exports.dbInstance = require("./db-instance");
 *
 * turned into a getter that requires the module on first use. No file on disk is
 * changed. Only a checked version with the checked layout is rewritten (every require
 * of the file of that form, and the expected number of them); anything else warns once
 * and loads the stock way. What is rewritten changes when modules load, never what
 * they export: a test synthesizes every shipped config both ways and compares bytes.
 *
 * CDKTF_LAZY_PROVIDER_REPORT=<file>: at exit, write what happened (rewritten, loaded,
 * fallback) as JSON (the tests read it). CDKTF_LAZY_PROVIDER_CHECKED=<json>: replace
 * the table of checked versions (the tests simulate an unchecked version with it).
 */
const fs = require("fs");
const Module = require("module");
const path = require("path");

const PACKAGE = "@cdktf/provider-aws";
/** Versions whose lib/index.js was checked, with the number of requires it holds. */
const CHECKED = process.env.CDKTF_LAZY_PROVIDER_CHECKED
  ? JSON.parse(process.env.CDKTF_LAZY_PROVIDER_CHECKED)
  : { "20.1.0": 2135 };
const LINE = /^exports\.([A-Za-z_$][\w$]*) = require\("(\.\/[a-z0-9-]+)"\);$/;
const HELPER = "__cdktfLazyProviderModule";

const report = { version: null, rewritten: 0, loaded: 0, fallback: null };
globalThis.__cdktfLazyProviderReport = report;
let warned = false;

function fallback(reason) {
  report.fallback = reason;
  if (!warned) {
    warned = true;
    process.stderr.write(`warning: lazy provider load disabled (${reason}); loading ${PACKAGE} the stock way\n`);
  }
  return null;
}

/** The package version when `filename` is the provider's lib/index.js, else null. */
function providerVersion(filename) {
  if (path.basename(filename) !== "index.js" || path.basename(path.dirname(filename)) !== "lib") {
    return null;
  }
  const manifest = path.join(path.dirname(filename), "..", "package.json");
  let pkg;
  try {
    pkg = JSON.parse(fs.readFileSync(manifest, "utf8"));
  } catch {
    return null;
  }
  return pkg.name === PACKAGE ? String(pkg.version) : null;
}

/** The lazy source of the index, or null (after a warning) to load the stock one. */
function rewrite(content, version) {
  const expected = CHECKED[version];
  if (expected === undefined) {
    return fallback(`${PACKAGE} ${version} is not one of the checked versions ${Object.keys(CHECKED).join(", ")}`);
  }
  let rewritten = 0;
  const lines = content.split("\n").map((line) => {
    const m = LINE.exec(line);
    if (m === null) return line;
    rewritten += 1;
    return (
      `Object.defineProperty(exports, ${JSON.stringify(m[1])}, { configurable: true, enumerable: true, ` +
      `get: () => ${HELPER}(exports, ${JSON.stringify(m[1])}, () => require(${JSON.stringify(m[2])})) });`
    );
  });
  const requires = (content.match(/\brequire\(/g) || []).length;
  if (rewritten !== requires || rewritten !== expected) {
    return fallback(`${PACKAGE} ${version}: ${rewritten} of ${requires} requires have the checked form, expected ${expected}`);
  }
  report.rewritten = rewritten;
  // Appended, so line numbers (and "use strict", which must come first) are kept; a
  // function declaration is hoisted over the getters that call it.
  const helper =
    `\nfunction ${HELPER}(target, name, load) {` +
    ` const value = load();` +
    ` Object.defineProperty(target, name, { configurable: true, enumerable: true, writable: true, value });` +
    ` globalThis.__cdktfLazyProviderReport.loaded += 1; return value; }\n`;
  return lines.join("\n") + helper;
}

const compile = Module.prototype._compile;
Module.prototype._compile = function lazyProviderCompile(content, filename) {
  const version = filename.includes("provider-aws") ? providerVersion(filename) : null;
  if (version !== null) {
    report.version = version;
    const lazy = rewrite(content, version);
    if (lazy !== null) return compile.call(this, lazy, filename);
  }
  return compile.call(this, content, filename);
};

if (process.env.CDKTF_LAZY_PROVIDER_REPORT) {
  process.on("exit", () => {
    if (report.version !== null) {
      fs.writeFileSync(process.env.CDKTF_LAZY_PROVIDER_REPORT, JSON.stringify(report));
    }
  });
}
