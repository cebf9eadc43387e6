-- Strata for Neovim: starts `strata lsp` for Strata buffers.
--
--   require("strata").setup({
--     cmd = { "strata", "lsp" },      -- the server command (default: `strata` on PATH, else
--                                     -- ~/.cargo/bin/strata)
--     env = nil,                      -- check with `--env NAME`
--     on_attach = nil,                -- function(client, bufnr), e.g. for key maps
--     capabilities = nil,             -- e.g. from cmp_nvim_lsp
--   })
--
-- The root of a buffer is the nearest directory holding `strata.toml`, else the file's own
-- directory; one server runs per root. Uses `vim.lsp.start` (Neovim 0.8+) and falls back to
-- `vim.lsp.start_client` on Neovim 0.7.
local M = {}

--- The `strata` executable: `strata` on PATH, else cargo's bin directory (`$CARGO_HOME/bin`,
--- default `~/.cargo/bin`, where `cargo install` puts it), else `strata` (the start then warns).
function M.executable()
  if vim.fn.executable("strata") == 1 then
    return "strata"
  end
  local cargo_home = os.getenv("CARGO_HOME")
  if cargo_home == nil or cargo_home == "" then
    cargo_home = vim.fn.expand("~/.cargo")
  end
  local bin = cargo_home .. "/bin/strata"
  if vim.fn.executable(bin) == 1 then
    return bin
  end
  return "strata"
end

local defaults = {
  cmd = { M.executable(), "lsp" },
  env = nil,
  on_attach = nil,
  capabilities = nil,
  root_markers = { "strata.toml" },
}

M.config = nil

-- Clients started through the 0.7 fallback, by root.
local clients = {}

function M.configured()
  return M.config ~= nil
end

--- The root directory of a buffer: the nearest ancestor with a root marker, else the
--- file's directory (else the current directory for unnamed buffers).
function M.root_dir(bufnr)
  local name = vim.api.nvim_buf_get_name(bufnr)
  if name == "" then
    return vim.loop.cwd()
  end
  local dir = vim.fn.fnamemodify(name, ":p:h")
  for _, marker in ipairs((M.config or defaults).root_markers) do
    local found = vim.fn.findfile(marker, dir .. ";")
    if found ~= "" then
      return vim.fn.fnamemodify(found, ":p:h")
    end
  end
  return dir
end

local function client_config(bufnr)
  local cfg = M.config or defaults
  local root = M.root_dir(bufnr)
  return {
    name = "strata",
    cmd = cfg.cmd,
    root_dir = root,
    workspace_folders = { { uri = vim.uri_from_fname(root), name = root } },
    init_options = cfg.env and { env = cfg.env } or vim.empty_dict(),
    capabilities = cfg.capabilities or vim.lsp.protocol.make_client_capabilities(),
    on_attach = cfg.on_attach,
  }
end

--- Start (or reuse) the server for a buffer and attach it. Returns the client id.
function M.start(bufnr)
  bufnr = bufnr or vim.api.nvim_get_current_buf()
  if vim.fn.executable(((M.config or defaults).cmd)[1]) ~= 1 then
    vim.notify_once("strata: `" .. ((M.config or defaults).cmd)[1] .. "` is not executable; set `cmd` in require('strata').setup()", vim.log.levels.WARN)
    return nil
  end
  local config = client_config(bufnr)
  if vim.lsp.start then
    return vim.lsp.start(config, { bufnr = bufnr })
  end
  -- Neovim 0.7: one client per root, attached by hand.
  local id = clients[config.root_dir]
  if not id or not vim.lsp.get_client_by_id(id) then
    id = vim.lsp.start_client(config)
    clients[config.root_dir] = id
  end
  if id then
    vim.lsp.buf_attach_client(bufnr, id)
  end
  return id
end

--- The server's configuration for nvim-lspconfig's `lspconfig.configs.strata`
--- (`default_config`): the command, the filetype, the root (the nearest directory with a
--- `strata.toml`, else the file's own directory) and single-file support.
function M.lspconfig_default_config()
  return {
    cmd = { M.executable(), "lsp" },
    filetypes = { "strata" },
    root_dir = function(fname)
      local dir = vim.fn.fnamemodify(fname, ":p:h")
      local found = vim.fn.findfile("strata.toml", dir .. ";")
      if found ~= "" then
        return vim.fn.fnamemodify(found, ":p:h")
      end
      return dir
    end,
    single_file_support = true,
    init_options = vim.empty_dict(),
  }
end

--- Register `strata` with nvim-lspconfig (versions whose configurations live in
--- `require("lspconfig.configs")`), so that `require("lspconfig").strata.setup({})` works.
--- Neovim 0.11 and later can instead use `lsp/strata.lua` of this plugin:
--- `vim.lsp.enable("strata")`.
function M.register_lspconfig()
  local ok, configs = pcall(require, "lspconfig.configs")
  if not ok then
    vim.notify_once("strata: nvim-lspconfig is not installed", vim.log.levels.WARN)
    return false
  end
  if not configs.strata then
    configs.strata = {
      default_config = M.lspconfig_default_config(),
      docs = {
        description = "The Strata language server (`strata lsp`): https://example.invalid/strata, docs/editors.md.",
      },
    }
  end
  return true
end

function M.setup(opts)
  M.config = vim.tbl_deep_extend("force", {}, defaults, opts or {})
  local group = vim.api.nvim_create_augroup("strata_lsp", { clear = true })
  vim.api.nvim_create_autocmd("FileType", {
    group = group,
    pattern = "strata",
    callback = function(args)
      M.start(args.buf)
    end,
  })
  -- Buffers opened before setup().
  for _, buf in ipairs(vim.api.nvim_list_bufs()) do
    if vim.api.nvim_buf_is_loaded(buf) and vim.bo[buf].filetype == "strata" then
      M.start(buf)
    end
  end
end

return M
