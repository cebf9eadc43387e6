// The Strata extension: a language client that starts `strata lsp` over stdio for `.strata`
// files. The executable comes from the `strata.server.path` setting, else PATH, else cargo's
// bin directory (src/server.ts). Everything else — diagnostics, hover, completion,
// go-to-definition, symbols, formatting, quick fixes — is the server's.
import * as fs from "fs";
import * as os from "os";
import * as vscode from "vscode";
import { LanguageClient, LanguageClientOptions, ServerOptions, TransportKind } from "vscode-languageclient/node";
import { findServer } from "./server";

let client: LanguageClient | undefined;

function isExecutable(p: string): boolean {
  try {
    if (!fs.statSync(p).isFile()) {
      return false;
    }
    if (process.platform !== "win32") {
      fs.accessSync(p, fs.constants.X_OK);
    }
    return true;
  } catch {
    return false;
  }
}

/** The `strata.server.path` setting (`strata.path`, its former name, as a fallback). */
function configuredPath(): string {
  const config = vscode.workspace.getConfiguration("strata");
  return config.get<string>("server.path")?.trim() || config.get<string>("path")?.trim() || "";
}

function clientOptions(): LanguageClientOptions {
  const config = vscode.workspace.getConfiguration("strata");
  const env = config.get<string>("env")?.trim();
  return {
    documentSelector: [
      { scheme: "file", language: "strata" },
      { scheme: "untitled", language: "strata" },
    ],
    initializationOptions: env ? { env } : {},
    synchronize: {
      // Re-check when project files or strata.toml change on disk (another editor, git).
      fileEvents: vscode.workspace.createFileSystemWatcher("**/{*.strata,strata.toml}"),
    },
  };
}

async function start(context: vscode.ExtensionContext): Promise<void> {
  const found = findServer({
    configured: configuredPath(),
    env: process.env,
    platform: process.platform,
    home: os.homedir(),
    isExecutable,
  });
  if (found.command === undefined) {
    const choice = await vscode.window.showErrorMessage(found.message, "Open Settings");
    if (choice === "Open Settings") {
      void vscode.commands.executeCommand("workbench.action.openSettings", "strata.server.path");
    }
    return;
  }
  const server: ServerOptions = { command: found.command, args: ["lsp"], transport: TransportKind.stdio };
  client = new LanguageClient("strata", "Strata", server, clientOptions());
  try {
    await client.start();
  } catch (e) {
    void vscode.window.showErrorMessage(
      `Strata: cannot start \`${found.command} lsp\` (${e instanceof Error ? e.message : String(e)}). ` +
        "Check `strata --version` in a terminal, or set `strata.server.path`.",
    );
  }
  context.subscriptions.push({ dispose: () => void client?.stop() });
}

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  context.subscriptions.push(
    vscode.commands.registerCommand("strata.restartServer", async () => {
      await client?.stop();
      client = undefined;
      await start(context);
    }),
    vscode.workspace.onDidChangeConfiguration(async (e) => {
      if (
        e.affectsConfiguration("strata.server.path") ||
        e.affectsConfiguration("strata.path") ||
        e.affectsConfiguration("strata.env")
      ) {
        await client?.stop();
        client = undefined;
        await start(context);
      }
    }),
  );
  await start(context);
}

export async function deactivate(): Promise<void> {
  await client?.stop();
}
