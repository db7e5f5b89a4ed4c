module github.com/fullauth/fullauth

go 1.26.0
