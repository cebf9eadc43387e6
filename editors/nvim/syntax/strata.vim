" Vim syntax file for Strata (a subset of the VS Code TextMate grammar).
if exists("b:current_syntax")
  finish
endif

syn keyword strataDecl import as param let type schema stack resource module output policy
syn keyword strataModifier out
syn keyword strataKeyword deny require path for in if
syn keyword strataBoolean true false
syn keyword strataNull null
syn keyword strataType any bool int float number string Size Duration Money MoneyRate Cidr Port list map ref
syn keyword strataBuiltin length lower upper trim join split replace keys values merge concat range min max cidr cidrsubnet format default json yaml
" `contains` is an argument of :syn keyword, so it is matched instead.
syn match strataBuiltin "\<contains\ze\s*("

syn match strataNumber "\<\d[0-9_]*\(\.\d[0-9_]*\)\=\([eE][+-]\=\d\+\)\=\>"
syn match strataQuantity "\<\d[0-9_]*\(\.\d[0-9_]*\)\=\s*\(USD\(/\(month\|hour\|year\)\)\=\|[KMGT]i\=B\|B\|ms\|min\|s\|h\|d\|w\)\>"
syn match strataCidr "\<\d\{1,3}\(\.\d\{1,3}\)\{3}/\d\{1,2}\>"
syn match strataAttribute "@[A-Za-z_][A-Za-z0-9_]*"
syn match strataOperator "=>\|\~>\|==\|!=\|<=\|>=\|&&\|||"

syn match strataEscape contained "\\\([nrt\"\\$]\|u{\x\{1,6}}\)"
syn region strataInterp contained matchgroup=strataInterpDelim start="\${" end="}" contains=TOP
syn region strataString start=+"+ skip=+\\\\\|\\"+ end=+"+ end=+$+ contains=strataEscape,strataInterp

syn keyword strataTodo contained TODO FIXME XXX NOTE
syn match strataDocComment "///.*$" contains=strataTodo
syn match strataComment "//\([^/].*\)\=$" contains=strataTodo
syn region strataBlockComment start="/\*" end="\*/" contains=strataBlockComment,strataTodo

hi def link strataDecl Keyword
hi def link strataModifier StorageClass
hi def link strataKeyword Keyword
hi def link strataBoolean Boolean
hi def link strataNull Constant
hi def link strataType Type
hi def link strataBuiltin Function
hi def link strataNumber Number
hi def link strataQuantity Number
hi def link strataCidr Constant
hi def link strataAttribute PreProc
hi def link strataOperator Operator
hi def link strataEscape SpecialChar
hi def link strataInterpDelim Delimiter
hi def link strataString String
hi def link strataTodo Todo
hi def link strataDocComment SpecialComment
hi def link strataComment Comment
hi def link strataBlockComment Comment

let b:current_syntax = "strata"
