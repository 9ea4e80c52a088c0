module github.com/acme/shop

go 1.21

toolchain go1.22.3

require (
	github.com/gin-gonic/gin v1.9.1
	github.com/golang-jwt/jwt/v4 v4.5.0
	github.com/google/uuid v1.6.0
	github.com/jackc/pgx/v5 v5.5.4
	golang.org/x/crypto v0.21.0
	google.golang.org/grpc v1.62.1
)

require (
	github.com/bytedance/sonic v1.9.1 // indirect
	github.com/gabriel-vasile/mimetype v1.4.2 // indirect
	github.com/go-playground/validator/v10 v10.14.0 // indirect
	github.com/jackc/pgpassfile v1.0.0 // indirect
	golang.org/x/net v0.22.0 // indirect
	golang.org/x/sys v0.18.0 // indirect
	golang.org/x/text v0.14.0 // indirect
	google.golang.org/protobuf v1.33.0 // indirect
)

// Our fork carries a fix not yet released upstream.
replace github.com/golang-jwt/jwt/v4 => github.com/acme/jwt/v4 v4.5.1-acme.1

replace google.golang.org/grpc v1.62.1 => ../grpc-patched

exclude golang.org/x/net v0.17.0

retract (
	v1.0.1 // published by mistake
	[v1.1.0, v1.1.3]
)
