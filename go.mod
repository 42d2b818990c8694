module github.com/tafel-schule/tafel

go 1.26

require github.com/pdfcpu/pdfcpu v0.15.0 // indirect
