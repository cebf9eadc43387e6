// Where the extension finds `strata` (src/server.ts, bundled to out/test/server.js by
// `npm test`): the setting, PATH, then cargo's bin directory; a clear message when missing.
"use strict";
const assert = require("assert");
const { findServer } = require("../out/test/server.js");

const look = (files, over = {}) =>
  findServer({
    configured: "",
    env: { PATH: "/usr/bin:/bin" },
    platform: "linux",
    home: "/home/u",
    isExecutable: (p) => files.includes(p),
    ...over,
  });

// PATH first, then ~/.cargo/bin.
assert.deepStrictEqual(look(["/bin/strata", "/home/u/.cargo/bin/strata"]), { command: "/bin/strata", source: "PATH" });
assert.deepStrictEqual(look(["/home/u/.cargo/bin/strata"]), { command: "/home/u/.cargo/bin/strata", source: "cargo" });
// CARGO_HOME moves the cargo bin directory.
assert.deepStrictEqual(
  look(["/opt/cargo/bin/strata"], { env: { PATH: "/usr/bin", CARGO_HOME: "/opt/cargo" } }),
  { command: "/opt/cargo/bin/strata", source: "cargo" },
);
// A configured path wins and must exist; `~` is the home directory.
assert.deepStrictEqual(look(["/bin/strata", "/home/u/s/strata"], { configured: "~/s/strata" }), {
  command: "/home/u/s/strata",
  source: "setting",
});
const bad = look(["/bin/strata"], { configured: "/nope/strata" });
assert.strictEqual(bad.command, undefined);
assert.match(bad.message, /`strata.server.path` is `\/nope\/strata`/);
// A configured bare name is looked up like the default.
assert.deepStrictEqual(look(["/usr/bin/strata-dev"], { configured: "strata-dev" }), {
  command: "/usr/bin/strata-dev",
  source: "setting",
});
// Missing everywhere: the message says where it looked and how to install.
const missing = look([]);
assert.strictEqual(missing.command, undefined);
assert.match(missing.message, /not found on PATH or in \/home\/u\/\.cargo\/bin/);
assert.match(missing.message, /cargo install --locked --path compiler\/strata-cli/);
assert.match(missing.message, /strata\.server\.path/);
// Windows: PATHEXT and `;`.
assert.deepStrictEqual(
  look(["C:\\tools\\strata.exe"], { platform: "win32", env: { PATH: "C:\\tools;C:\\x", PATHEXT: ".EXE;.CMD" }, home: "C:\\Users\\u" }),
  { command: "C:\\tools\\strata.exe", source: "PATH" },
);
console.log("server lookup: ok");
