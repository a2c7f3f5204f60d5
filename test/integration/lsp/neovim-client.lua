-- Headless Neovim as a third-party LSP client of `vmbguard lsp --stdio`: opens one file, waits
-- for the server's diagnostics (and with VMBGUARD_FIX applies the first quick fix) and writes what
-- it saw as JSON. Driven by neovim.test.ts through
-- environment variables; works with Neovim 0.7 (Debian 12) and later.
local cli = os.getenv("VMBGUARD_CLI")
local root = os.getenv("VMBGUARD_ROOT")
local file = os.getenv("VMBGUARD_FILE")
local out = os.getenv("VMBGUARD_OUT")

local function finish(result)
  local handle = io.open(out, "w")
  handle:write(vim.fn.json_encode(result))
  handle:close()
  vim.cmd("qall!")
end

vim.cmd("edit " .. vim.fn.fnameescape(file))
local bufnr = vim.api.nvim_get_current_buf()
local config = { name = "vmbguard", cmd = { "node", cli, "lsp", "--stdio" }, root_dir = root }
local client_id
if vim.lsp.start ~= nil then
  client_id = vim.lsp.start(config)
else
  -- Neovim before 0.8 has no vim.lsp.start: start the client and attach the buffer by hand.
  client_id = vim.lsp.start_client(config)
  vim.lsp.buf_attach_client(bufnr, client_id)
end
if client_id == nil then
  finish({ error = "the client did not start" })
end

local received = vim.wait(30000, function()
  return #vim.diagnostic.get(bufnr) > 0
end, 50)

local function current_diagnostics()
  local diagnostics = {}
  for _, diagnostic in ipairs(vim.diagnostic.get(bufnr)) do
    local lsp = diagnostic.user_data and diagnostic.user_data.lsp or {}
    table.insert(diagnostics, {
      code = diagnostic.code or lsp.code,
      line = diagnostic.lnum + 1,
      source = diagnostic.source or lsp.source,
      message = diagnostic.message,
    })
  end
  return diagnostics
end

local result = { received = received, version = vim.version().major .. "." .. vim.version().minor, diagnostics = current_diagnostics() }

-- With VMBGUARD_FIX set: ask for the code actions on the first finding's line, apply the first
-- (the preferred fix) as Neovim applies any workspace edit, and wait for the re-check.
if received and os.getenv("VMBGUARD_FIX") ~= nil then
  local line = result.diagnostics[1].line - 1
  local params = {
    textDocument = { uri = vim.uri_from_bufnr(bufnr) },
    range = { start = { line = line, character = 0 }, ["end"] = { line = line, character = 0 } },
    context = { diagnostics = vim.lsp.diagnostic.get_line_diagnostics(bufnr, line) },
  }
  local responses = vim.lsp.buf_request_sync(bufnr, "textDocument/codeAction", params, 20000) or {}
  local actions = {}
  for _, response in pairs(responses) do
    for _, action in ipairs(response.result or {}) do
      table.insert(actions, action)
    end
  end
  result.titles = {}
  for _, action in ipairs(actions) do
    table.insert(result.titles, action.title)
  end
  if actions[1] ~= nil then
    vim.lsp.util.apply_workspace_edit(actions[1].edit, "utf-16")
    result.fixed_line = vim.api.nvim_buf_get_lines(bufnr, line, line + 1, false)[1]
    result.cleared = vim.wait(30000, function()
      return #vim.diagnostic.get(bufnr) == 0
    end, 50)
    result.after = current_diagnostics()
  end
end

vim.lsp.stop_client(client_id)
finish(result)
