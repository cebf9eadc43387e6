// The Strata extension: a language client that starts `strata lsp` (the executable named by
// the `strata.path` setting) over stdio for `.strata` files. Everything else — diagnostics,
// hover, completion, go-to-definition, symbols, formatting, quick fixes — is the server's.
import * as vscode from "vscode";
import { LanguageClient, LanguageClientOptions, ServerOptions, TransportKind } from "vscode-languageclient/node";

let client: LanguageClient | undefined;

function serverOptions(): ServerOptions {
  const config = vscode.workspace.getConfiguration("strata");
  const command = config.get<string>("path")?.trim() || "strata";
  return { command, args: ["lsp"], transport: TransportKind.stdio };
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
  client = new LanguageClient("strata", "Strata", serverOptions(), clientOptions());
  try {
    await client.start();
  } catch (e) {
    const path = vscode.workspace.getConfiguration("strata").get<string>("path") || "strata";
    void vscode.window.showErrorMessage(
      `Strata: cannot start \`${path} lsp\` (${e instanceof Error ? e.message : String(e)}). ` +
        "Install strata or set `strata.path` to its location.",
    );
  }
  context.subscriptions.push({ dispose: () => void client?.stop() });
}

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  context.subscriptions.push(
    vscode.commands.registerCommand("strata.restartServer", async () => {
      await client?.stop();
      await start(context);
    }),
    vscode.workspace.onDidChangeConfiguration(async (e) => {
      if (e.affectsConfiguration("strata.path") || e.affectsConfiguration("strata.env")) {
        await client?.stop();
        await start(context);
      }
    }),
  );
  await start(context);
}

export async function deactivate(): Promise<void> {
  await client?.stop();
}
