-- Headless Neovim as a third-party LSP client of `vmbguard lsp --stdio`: opens one file, waits
-- for the server's diagnostics and writes them as JSON. Driven by neovim.test.ts through
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
vim.lsp.stop_client(client_id)
finish({ received = received, version = vim.version().major .. "." .. vim.version().minor, diagnostics = diagnostics })
