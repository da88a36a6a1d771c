module github.com/cookieseal/cookieseal/bindings/go

go 1.23

require (
	github.com/gorilla/securecookie v1.1.2
	github.com/gorilla/sessions v1.4.0
)
