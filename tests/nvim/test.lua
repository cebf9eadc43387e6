-- Neovim headless test of `strata lsp` through the plugin in editors/nvim.
--
--   STRATA_BIN=target/debug/strata STRATA_RTP=editors/nvim STRATA_FIXTURE=tests/nvim/fixture/main.strata \
--     nvim --headless --clean -u NONE --cmd "set rtp^=editors/nvim" -c "luafile tests/nvim/test.lua"
--
-- (The plugin must be on 'runtimepath' at start-up, as a plugin manager puts it, so that its
-- ftdetect script runs.)
--
-- Opens the fixture (an unknown property on line 9), waits for the diagnostics and checks the
-- code and the line; then asks for hover and definition (a let in the file, a stdlib schema)
-- and checks the answers. Exits 0 when everything holds, 1 otherwise (with the reason).

local bin = os.getenv("STRATA_BIN")
local rtp = os.getenv("STRATA_RTP")
local fixture = os.getenv("STRATA_FIXTURE")
local checks = 0

local function fail(msg)
  io.stderr:write("nvim test FAILED: " .. msg .. "\n")
  vim.cmd("cquit! 1")
end

local function check(cond, msg)
  if not cond then
    fail(msg)
  end
  checks = checks + 1
end

local ok, err = pcall(function()
  check(bin and rtp and fixture, "set STRATA_BIN, STRATA_RTP and STRATA_FIXTURE")
  vim.cmd("filetype plugin on")
  require("strata").setup({ cmd = { bin, "lsp" } })
  vim.cmd("edit " .. vim.fn.fnameescape(fixture))
  local buf = vim.api.nvim_get_current_buf()
  check(vim.bo[buf].filetype == "strata", "filetype is `" .. vim.bo[buf].filetype .. "`, not strata")

  -- The syntax file loaded without error (an error in it would also stop the FileType
  -- autocommands, and the server would never start).
  local group = vim.fn.synIDattr(vim.fn.synID(7, 1, 1), "name")
  check(group == "strataDecl", "syntax group at `resource`: `" .. group .. "`")

  -- The diagnostics: E2001 on line 9 (0-based 8).
  local got = vim.wait(30000, function()
    return #vim.diagnostic.get(buf) > 0
  end, 50)
  check(got, "no diagnostics within 30 s (is `" .. bin .. " lsp` working?)")
  local diags = vim.diagnostic.get(buf)
  local found = nil
  for _, d in ipairs(diags) do
    local code = d.code or (d.user_data and d.user_data.lsp and d.user_data.lsp.code)
    if code == "E2001" then
      found = d
    end
  end
  check(found ~= nil, "no E2001 among " .. vim.inspect(diags))
  check(found.lnum == 8, "E2001 on line " .. (found.lnum + 1) .. ", expected 9")
  check(found.col == 2, "E2001 at column " .. (found.col + 1) .. ", expected 3")
  check(found.severity == vim.diagnostic.severity.ERROR, "E2001 is not an error")
  check(found.message:find("unknown property `rotaton`", 1, true) ~= nil, "message: " .. found.message)

  local uri = vim.uri_from_bufnr(buf)
  local function request(method, line, character)
    local params = { textDocument = { uri = uri }, position = { line = line, character = character } }
    local responses, e = vim.lsp.buf_request_sync(buf, method, params, 10000)
    check(responses ~= nil, method .. " failed: " .. tostring(e))
    for _, r in pairs(responses) do
      check(r.err == nil, method .. " error: " .. vim.inspect(r.err))
      return r.result
    end
    fail(method .. ": no client answered")
  end

  -- Hover on the property `pending_window` (line 8): its type and documentation.
  local h = request("textDocument/hover", 7, 4)
  check(h ~= nil and h.contents ~= nil, "no hover on `pending_window`")
  local text = h.contents.value or vim.inspect(h.contents)
  check(text:find("pending_window", 1, true) and text:find("Duration", 1, true), "hover on pending_window: " .. text)

  -- Hover on the reference `window`: the let with its doc comment.
  h = request("textDocument/hover", 7, 20)
  text = h and h.contents and h.contents.value or ""
  check(text:find("let window", 1, true) and text:find("How long a deleted key is kept.", 1, true), "hover on window: " .. text)

  -- Definition of `window`: line 5 of the same file.
  local function location(result)
    if result == nil then
      return nil
    end
    if result.uri or result.targetUri then
      return result
    end
    return result[1]
  end
  local d = location(request("textDocument/definition", 7, 20))
  check(d ~= nil, "no definition of `window`")
  check(d.uri == uri, "definition of window in " .. tostring(d.uri))
  check(d.range.start.line == 4, "definition of window on line " .. (d.range.start.line + 1) .. ", expected 5")

  -- Definition of `aws.kms.Key`: the stdlib schema, copied read-only to the cache.
  d = location(request("textDocument/definition", 6, 20))
  check(d ~= nil, "no definition of aws.kms.Key")
  local path = vim.uri_to_fname(d.uri)
  check(path:find("/strata/stdlib/", 1, true) ~= nil, "stdlib definition at " .. path)
  local lines = vim.fn.readfile(path)
  local line = lines[d.range.start.line + 1] or ""
  check(line:find("schema aws.kms.Key", 1, true) ~= nil, "stdlib definition line: " .. line)

  -- Completion inside the body: the schema's properties.
  local c = request("textDocument/completion", 8, 2)
  local items = c and (c.items or c) or {}
  local labels = {}
  for _, it in ipairs(items) do
    labels[it.label] = true
  end
  check(labels["rotation"] and labels["key_spec"], "completion: " .. vim.inspect(vim.tbl_keys(labels)))

  -- nvim-lspconfig conventions. `lsp/strata.lua` (Neovim 0.11+ `vim.lsp.enable("strata")`,
  -- nvim-lspconfig's `lsp/` directory): a configuration table.
  local native = dofile(rtp .. "/lsp/strata.lua")
  check(type(native) == "table" and native.cmd[2] == "lsp", "lsp/strata.lua cmd: " .. vim.inspect(native))
  check(vim.tbl_contains(native.filetypes, "strata"), "lsp/strata.lua filetypes")
  check(vim.tbl_contains(native.root_markers, "strata.toml"), "lsp/strata.lua root_markers")
  if vim.lsp.config ~= nil and vim.lsp.enable ~= nil then
    vim.lsp.config("strata", { cmd = { bin, "lsp" } })
    check(vim.lsp.config.strata.cmd[1] == bin, "vim.lsp.config strata")
  end
  -- `lspconfig.configs.strata` (nvim-lspconfig's registry of older versions), against a stand-in
  -- for the registry module (the real plugin is not installed here).
  package.loaded["lspconfig.configs"] = {}
  check(require("strata").register_lspconfig(), "register_lspconfig")
  local entry = require("lspconfig.configs").strata
  check(entry and entry.default_config and entry.default_config.cmd[2] == "lsp", "lspconfig.configs.strata: " .. vim.inspect(entry))
  check(vim.tbl_contains(entry.default_config.filetypes, "strata"), "lspconfig filetypes")
  local root = entry.default_config.root_dir(fixture)
  check(root == vim.fn.fnamemodify(fixture, ":p:h"), "lspconfig root_dir: " .. tostring(root))
  -- The executable: `strata` on PATH, else ~/.cargo/bin/strata.
  local exe = require("strata").executable()
  check(exe == "strata" or exe:find("/bin/strata$") ~= nil, "executable: " .. exe)
end)

if not ok then
  fail(tostring(err))
end
io.stdout:write("nvim test passed: " .. checks .. " checks (Neovim " .. tostring(vim.version().major) .. "." .. tostring(vim.version().minor) .. ")\n")
for _, client in pairs(vim.lsp.get_active_clients()) do
  client.stop()
end
vim.wait(5000, function()
  return #vim.lsp.get_active_clients() == 0
end, 50)
vim.cmd("qall!")
