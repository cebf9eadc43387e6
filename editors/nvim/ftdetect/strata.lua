-- `.strata` files are Strata.
if vim.fn.has("nvim-0.8") == 1 then
  vim.filetype.add({ extension = { strata = "strata" } })
else
  -- Neovim 0.7 detects file types with filetype.vim, which ignores vim.filetype.add.
  vim.cmd([[autocmd BufRead,BufNewFile *.strata setfiletype strata]])
end
