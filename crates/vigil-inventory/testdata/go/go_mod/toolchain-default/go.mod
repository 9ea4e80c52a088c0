module example.com/tool

go 1.21

toolchain default

godebug (
	default=go1.21
	panicnil=1
)

tool golang.org/x/tools/cmd/stringer
