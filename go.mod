module kefu

go 1.26.8
