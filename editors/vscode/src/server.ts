// Where the `strata` executable that runs `strata lsp` is: the `strata.server.path` setting (a
// path, or a name looked up like the default), else `strata` on PATH, else in cargo's bin
// directory (`$CARGO_HOME/bin`, default `~/.cargo/bin`: where `cargo install` puts it, and
// which an editor started from a desktop launcher often lacks on its PATH). No `vscode` import:
// test/server.test.js runs it under plain Node.
import * as path from "path";

export interface Lookup {
  /** The `strata.server.path` setting (empty: not set). */
  configured: string;
  env: Record<string, string | undefined>;
  platform: string;
  home: string;
  /** Whether `p` is an executable file. */
  isExecutable(p: string): boolean;
}

export type Found =
  | { command: string; source: "setting" | "PATH" | "cargo" }
  | { command: undefined; message: string };

export const INSTALL_HINT =
  "Install it with `cargo install --locked --path compiler/strata-cli` from a checkout of Strata (it goes to ~/.cargo/bin), or set `strata.server.path` to the executable.";

function expandHome(p: string, home: string): string {
  return p === "~" || p.startsWith("~/") ? path.join(home, p.slice(1)) : p;
}

/** The file names a command name may have on this platform (`strata.exe` on Windows). */
function candidates(name: string, l: Lookup): string[] {
  if (l.platform !== "win32" || path.extname(name) !== "") {
    return [name];
  }
  const exts = (l.env.PATHEXT || ".EXE;.CMD;.BAT").split(";").filter((e) => e !== "");
  return [name, ...exts.map((e) => name + e.toLowerCase())];
}

export function findServer(l: Lookup): Found {
  const p = l.platform === "win32" ? path.win32 : path.posix;
  const configured = l.configured.trim();
  const name = configured || "strata";
  // A path (not a bare name): it must be there.
  if (configured !== "" && (configured.includes("/") || configured.includes("\\") || configured.startsWith("~"))) {
    const full = expandHome(configured, l.home);
    for (const c of candidates(full, l)) {
      if (l.isExecutable(c)) {
        return { command: c, source: "setting" };
      }
    }
    return {
      command: undefined,
      message: `Strata: \`strata.server.path\` is \`${configured}\`, which is not an executable file. ${INSTALL_HINT}`,
    };
  }
  const sep = l.platform === "win32" ? ";" : ":";
  const dirs = (l.env.PATH || "").split(sep).filter((d) => d !== "");
  for (const dir of dirs) {
    for (const c of candidates(p.join(dir, name), l)) {
      if (l.isExecutable(c)) {
        return { command: c, source: configured ? "setting" : "PATH" };
      }
    }
  }
  const cargoBin = p.join(l.env.CARGO_HOME || p.join(l.home, ".cargo"), "bin");
  for (const c of candidates(p.join(cargoBin, name), l)) {
    if (l.isExecutable(c)) {
      return { command: c, source: "cargo" };
    }
  }
  return {
    command: undefined,
    message: `Strata: the language server \`${name}\` was not found on PATH or in ${cargoBin}. ${INSTALL_HINT}`,
  };
}
