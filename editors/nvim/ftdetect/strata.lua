-- `.strata` files are Strata.
if vim.filetype and vim.filetype.add then
  vim.filetype.add({ extension = { strata = "strata" } })
else
  vim.cmd([[autocmd BufRead,BufNewFile *.strata setfiletype strata]])
end
