module example.com/fullauth-stdlib

go 1.26.0

require github.com/fullauth/fullauth v0.0.0

require (
	golang.org/x/crypto v0.59.0 // indirect
	golang.org/x/sys v0.50.0 // indirect
)

replace github.com/fullauth/fullauth => ../..
