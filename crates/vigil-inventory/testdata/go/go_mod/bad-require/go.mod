module example.com/broken

require (
	github.com/google/uuid v1.6.0
	golang.org/x/sync
)
