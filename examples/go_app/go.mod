module github.com/cookieseal/cookieseal/examples/go_app

go 1.23.0

require github.com/cookieseal/cookieseal/bindings/go v0.0.0

replace github.com/cookieseal/cookieseal/bindings/go => ../../bindings/go
