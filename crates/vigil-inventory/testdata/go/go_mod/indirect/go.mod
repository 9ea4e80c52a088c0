module example.com/indirect

go 1.17

require github.com/sirupsen/logrus v1.9.3

require golang.org/x/sys v0.0.0-20240101000000-000000000000 // indirect

require (
	github.com/stretchr/testify v1.8.4
	github.com/davecgh/go-spew v1.1.1 // indirect; used by testify
	github.com/pmezard/go-difflib v1.0.0 //indirect
	gopkg.in/yaml.v3 v3.0.1 // not indirect: a note
)
