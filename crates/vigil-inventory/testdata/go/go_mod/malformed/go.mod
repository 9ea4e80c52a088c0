module example.com/broken

go 1.22

requires github.com/google/uuid v1.6.0
