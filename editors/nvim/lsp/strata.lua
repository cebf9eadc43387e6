-- The Strata language server for Neovim 0.11+ (`:help lsp-config`), in the `lsp/<name>.lua`
-- convention that nvim-lspconfig also follows. With this directory on 'runtimepath':
--
--   vim.lsp.enable("strata")
--   vim.lsp.config("strata", { init_options = { env = "prod" } })   -- optional overrides
--
-- The root of a buffer is the nearest directory with a `strata.toml`; without one the server
-- checks the file's own directory (as `strata check FILE` does).
return {
  cmd = { require("strata").executable(), "lsp" },
  filetypes = { "strata" },
  root_markers = { "strata.toml" },
  init_options = vim.empty_dict(),
}
