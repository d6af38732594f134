-- Neovim's built-in LSP client against `supc server`: opens a config,
-- waits for diagnostics, asks for a hover, and exits 0 when both arrived
-- (1 otherwise). Works with Neovim 0.7 (start_client) and later
-- (vim.lsp.start). Run by tests/server_nvim.rs:
--
--   SUPC_BIN=target/debug/supc SUPC_FIXTURE=tests/lsp/workspace/supervisord.conf \
--     nvim --headless -n -i NONE -u NONE -c 'luafile scripts/nvim-lsp-check.lua'

local supc = os.getenv('SUPC_BIN')
local file = os.getenv('SUPC_FIXTURE')

local function say(msg)
  io.stderr:write('nvim-lsp-check: ' .. msg .. '\n')
end

local function fail(msg)
  say('FAIL ' .. msg)
  vim.cmd('cquit 1')
end

if not supc or not file then
  fail('set SUPC_BIN and SUPC_FIXTURE')
end

vim.cmd('edit ' .. vim.fn.fnameescape(file))
local buf = vim.api.nvim_get_current_buf()
local config = {
  name = 'supc',
  cmd = { supc, 'server' },
  root_dir = vim.fn.fnamemodify(file, ':p:h'),
  init_options = { portable = true, debounceMs = 10 },
}
local id
if vim.lsp.start then
  id = vim.lsp.start(config)
else
  id = vim.lsp.start_client(config)
  if id then
    vim.lsp.buf_attach_client(buf, id)
  end
end
if not id then
  fail('the client did not start')
end

local function code_of(d)
  if d.code then
    return d.code
  end
  local lsp = d.user_data and d.user_data.lsp
  return lsp and lsp.code
end

local got = vim.wait(20000, function()
  for _, d in ipairs(vim.diagnostic.get(buf)) do
    if code_of(d) == 'SUP020' then
      return true
    end
  end
  return false
end, 50)
if not got then
  fail('no SUP020 diagnostic arrived (' .. #vim.diagnostic.get(buf) .. ' diagnostics)')
end
say('diagnostics: ' .. #vim.diagnostic.get(buf))

local line
for i, l in ipairs(vim.api.nvim_buf_get_lines(buf, 0, -1, false)) do
  if l:match('^numprocs=') then
    line = i - 1
    break
  end
end
if not line then
  fail('no numprocs= line in the fixture')
end
local params = {
  textDocument = { uri = vim.uri_from_bufnr(buf) },
  position = { line = line, character = 2 },
}
local replies = vim.lsp.buf_request_sync(buf, 'textDocument/hover', params, 20000) or {}
local text
for _, r in pairs(replies) do
  local c = r.result and r.result.contents
  text = c and (c.value or c)
end
if type(text) ~= 'string' or not text:find('numprocs', 1, true) then
  fail('no hover for numprocs: ' .. vim.inspect(replies))
end
say('hover: ' .. text:gsub('\n.*', ''))
say('OK')
vim.cmd('qall!')
