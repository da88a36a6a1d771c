module github.com/cookieseal/cookieseal/examples/go_app

go 1.23.0

require github.com/cookieseal/cookieseal/bindings/go v0.0.0

require (
	github.com/gorilla/securecookie v1.1.2 // indirect
	github.com/gorilla/sessions v1.4.0 // indirect
)

replace github.com/cookieseal/cookieseal/bindings/go => ../../bindings/go
