// Configuration is the operator's first contact with Skein: the defaults must give a working
// local server, and every mistake must be named at once, each on its own line.
// skein-test: once (in-process, no database)
import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { ConfigError, loadConfig, redact, testHostAddress } from "../../src/config/config.ts";

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    assert.ok(error instanceof ConfigError, `expected a ConfigError, got ${error}`);
    return error.problems;
  }
  assert.fail(`${JSON.stringify(env)} was accepted`);
}

test("with nothing set, Skein serves plain HTTP on localhost:3000 from an SQLite file in ./data", () => {
  const config = loadConfig({});
  assert.equal(config.localDomain, "localhost:3000");
  assert.equal(config.scheme, "http");
  assert.equal(config.origin, "http://localhost:3000");
  assert.equal(config.port, 3000);
  assert.equal(config.bind, "127.0.0.1");
  assert.equal(config.dataDir, path.resolve("data"));
  assert.deepEqual(config.database, { kind: "sqlite", file: path.resolve("data", "skein.sqlite") });
  assert.equal(config.tls, null);
  assert.equal(config.instance.registrations, "closed");
  // The instance API shows it as `format: email`, which needs a dotted domain.
  assert.equal(config.instance.contactEmail, "admin@localhost.localdomain");
  assert.equal(config.instance.sourceUrl, "http://localhost:3000/about");
  assert.deepEqual(config.log, { level: "info", format: "pretty" });
  assert.equal(config.environment, "production");
  assert.equal(config.trustProxy, false);
});

test("the default domain follows PORT, and blank values count as unset", () => {
  assert.equal(loadConfig({ PORT: "8080" }).localDomain, "localhost:8080");
  const blank = loadConfig({ PORT: " ", LOCAL_DOMAIN: "", DATA_DIR: "  " });
  assert.equal(blank.localDomain, "localhost:3000");
  assert.equal(blank.dataDir, path.resolve("data"));
  assert.equal(loadConfig({ LOCAL_DOMAIN: " Social.Example " }).localDomain, "social.example", "trimmed and lower-cased");
});

test("loopback names are served over http, every other name over https", () => {
  for (const domain of ["localhost", "localhost:3000", "alice.localhost:4000", "127.0.0.1:3000", "[::1]:3000"]) {
    const config = loadConfig({ LOCAL_DOMAIN: domain });
    assert.equal(config.scheme, "http", domain);
    assert.equal(config.origin, `http://${domain}`);
  }
  for (const domain of ["social.example", "social.example:8443", "10.0.0.5", "localhost.example", "a.b.localhost"]) {
    assert.equal(loadConfig({ LOCAL_DOMAIN: domain }).scheme, "https", domain);
  }
  assert.equal(loadConfig({ LOCAL_DOMAIN: "social.example" }).origin, "https://social.example");
  assert.equal(loadConfig({ LOCAL_DOMAIN: "social.example" }).instance.contactEmail, "admin@social.example");
});

test("LOCAL_HTTPS overrides the guess in both directions, and TLS files imply https", (t) => {
  assert.equal(loadConfig({ LOCAL_HTTPS: "true" }).origin, "https://localhost:3000");
  assert.equal(loadConfig({ LOCAL_DOMAIN: "social.example", LOCAL_HTTPS: "false" }).origin, "http://social.example");

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "skein-config-"));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const cert = path.join(dir, "cert.pem");
  const key = path.join(dir, "key.pem");
  fs.writeFileSync(cert, "");
  fs.writeFileSync(key, "");
  const tls = loadConfig({ TLS_CERT: cert, TLS_KEY: key });
  assert.deepEqual(tls.tls, { cert, key });
  assert.equal(tls.origin, "https://localhost:3000");

  assert.deepEqual(problemsOf({ TLS_CERT: cert }), ["TLS_CERT and TLS_KEY must be set together"]);
  assert.deepEqual(problemsOf({ TLS_CERT: cert, TLS_KEY: path.join(dir, "missing.pem") }), [
    `TLS_KEY points to a file that does not exist: ${path.join(dir, "missing.pem")}`,
  ]);
});

test("DATABASE_URL picks PostgreSQL or an SQLite file", () => {
  assert.deepEqual(loadConfig({ DATABASE_URL: "postgres://skein:pw@db.internal:5432/skein" }).database, {
    kind: "postgres",
    url: "postgres://skein:pw@db.internal:5432/skein",
  });
  assert.equal(loadConfig({ DATABASE_URL: "postgresql://db/skein" }).database.kind, "postgres");
  assert.deepEqual(loadConfig({ DATABASE_URL: "sqlite:///var/lib/skein/my%20db.sqlite" }).database, {
    kind: "sqlite",
    file: "/var/lib/skein/my db.sqlite",
  });
  // DATA_DIR still holds everything that is not in the database.
  const config = loadConfig({ DATA_DIR: "/srv/skein", DATABASE_URL: "postgres://db/skein" });
  assert.equal(config.dataDir, "/srv/skein");
  assert.deepEqual(loadConfig({ DATA_DIR: "/srv/skein" }).database, { kind: "sqlite", file: "/srv/skein/skein.sqlite" });
});

test("a DATABASE_URL that is not understood is refused without showing its password", () => {
  const [problem, ...more] = problemsOf({ DATABASE_URL: "mysql://skein:s3cret-pass@db/skein" });
  assert.deepEqual(more, []);
  assert.match(problem, /^DATABASE_URL must be a postgres:\/\/user:password@host\/database URL/);
  assert.match(problem, /mysql:\/\/skein:\*\*\*@db\/skein/);
  assert.doesNotMatch(problem, /s3cret-pass/);
  assert.equal(problemsOf({ DATABASE_URL: "nonsense" }).length, 1);
  assert.equal(redact("postgres://u:p@ss:w0rd@h/db"), "postgres://u:***@h/db");
  assert.equal(redact("postgres://h/db"), "postgres://h/db");
});

test("every problem is reported at once, one line per variable", () => {
  const problems = problemsOf({
    PORT: "abc",
    DATABASE_URL: "nonsense",
    REGISTRATIONS: "sometimes",
    LOG_LEVEL: "loud",
    LOG_FORMAT: "xml",
    SKEIN_ENV: "staging",
    CONTACT_EMAIL: "nobody",
    TRUST_PROXY: "maybe",
    LOCAL_HTTPS: "perhaps",
  });
  const variables = problems.map((p) => p.split(" ")[0]).sort();
  assert.deepEqual(variables, ["CONTACT_EMAIL", "DATABASE_URL", "LOCAL_HTTPS", "LOG_FORMAT", "LOG_LEVEL", "PORT", "REGISTRATIONS", "SKEIN_ENV", "TRUST_PROXY"]);
  for (const problem of problems) assert.doesNotMatch(problem, /\n/);
  assert.ok(problems.includes('PORT must be a number from 0 to 65535 (got "abc")'));
});

test("a bad PORT or LOCAL_DOMAIN is reported once, with what was given", () => {
  assert.deepEqual(problemsOf({ PORT: "abc" }), ['PORT must be a number from 0 to 65535 (got "abc")']);
  assert.deepEqual(problemsOf({ PORT: "65536" }), ['PORT must be a number from 0 to 65535 (got "65536")']);
  assert.deepEqual(problemsOf({ PORT: "-1" }), ['PORT must be a number from 0 to 65535 (got "-1")']);
  assert.equal(loadConfig({ PORT: "0" }).port, 0, "0 asks the system for a free port");
  for (const domain of ["bad domain/x", "social.example/path", "user@social.example", "https://social.example"]) {
    const problems = problemsOf({ LOCAL_DOMAIN: domain });
    assert.equal(problems.length, 1, domain);
    assert.match(problems[0], /^LOCAL_DOMAIN must be a host name with an optional port/);
    assert.ok(problems[0].includes(JSON.stringify(domain)), problems[0]);
  }
});

test("booleans, registrations and logging accept their documented values", () => {
  for (const yes of ["1", "true", "YES", "on"]) assert.equal(loadConfig({ TRUST_PROXY: yes }).trustProxy, true, yes);
  for (const no of ["0", "false", "No", "off"]) assert.equal(loadConfig({ TRUST_PROXY: no }).trustProxy, false, no);
  for (const mode of ["open", "approval", "invite", "closed"]) assert.equal(loadConfig({ REGISTRATIONS: mode }).instance.registrations, mode);
  const config = loadConfig({ LOG_LEVEL: "debug", LOG_FORMAT: "json", SKEIN_ENV: "test", BIND: "0.0.0.0", INSTANCE_TITLE: "Home", SOURCE_URL: "https://git.example/skein" });
  assert.deepEqual(config.log, { level: "debug", format: "json" });
  assert.equal(config.environment, "test");
  assert.equal(config.bind, "0.0.0.0");
  assert.equal(config.instance.title, "Home");
  assert.equal(config.instance.sourceUrl, "https://git.example/skein");
});

test("SKEIN_TEST_HOSTS (test only) maps names, and *.domain maps every name one label below it", () => {
  const config = loadConfig({ SKEIN_ENV: "test", SKEIN_TEST_HOSTS: "a.test=127.0.0.2, *.fleet.test=127.0.0.1" });
  assert.deepEqual(config.testHosts, { "a.test": "127.0.0.2", "*.fleet.test": "127.0.0.1" });
  assert.equal(testHostAddress(config.testHosts, "a.test"), "127.0.0.2");
  assert.equal(testHostAddress(config.testHosts, "D17.fleet.test"), "127.0.0.1");
  assert.equal(testHostAddress(config.testHosts, "fleet.test"), undefined);
  assert.equal(testHostAddress(config.testHosts, "x.d17.fleet.test"), undefined);
  assert.equal(testHostAddress(config.testHosts, "example.com"), undefined);
  for (const bad of ["*=127.0.0.1", "*.test=127.0.0.1", "a.*.test=127.0.0.1", "*.fleet.test=10.0.0.1"]) {
    assert.match(problemsOf({ SKEIN_ENV: "test", SKEIN_TEST_HOSTS: bad }).join("\n"), /SKEIN_TEST_HOSTS entries must be/, bad);
  }
  assert.match(problemsOf({ SKEIN_TEST_HOSTS: "*.fleet.test=127.0.0.1" }).join("\n"), /test-only setting/);
});

test("delivery settings: a thread per core by default (0 sends from the main thread), and a per-host maximum never below the start", () => {
  const defaults = loadConfig({});
  assert.equal(defaults.delivery.threads, Math.min(4, os.availableParallelism()));
  assert.deepEqual([defaults.delivery.perHost, defaults.delivery.perHostMax], [4, 16]);
  assert.equal(loadConfig({ DELIVERY_THREADS: "0" }).delivery.threads, 0);
  assert.equal(loadConfig({ DELIVERY_PER_HOST: "20", DELIVERY_PER_HOST_MAX: "8" }).delivery.perHostMax, 20);
  assert.deepEqual(problemsOf({ DELIVERY_THREADS: "-1", DELIVERY_PER_HOST_MAX: "lots" }), [
    'DELIVERY_PER_HOST_MAX must be a whole number from 1 to 256 (got "lots")',
    'DELIVERY_THREADS must be a whole number from 0 to 16 (got "-1")',
  ]);
});
