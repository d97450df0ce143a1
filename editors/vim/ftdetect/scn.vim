" raftsh scenarios
autocmd BufRead,BufNewFile *.scn setfiletype scn
