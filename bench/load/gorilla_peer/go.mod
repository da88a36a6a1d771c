module github.com/cookieseal/cookieseal/bench/load/gorilla_peer

go 1.20

require github.com/gorilla/sessions v1.2.2

require github.com/gorilla/securecookie v1.1.2 // indirect
