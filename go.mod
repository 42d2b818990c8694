module github.com/tafel-schule/tafel

go 1.26
