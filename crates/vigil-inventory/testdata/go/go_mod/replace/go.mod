module example.com/replacing

go 1.22.1

require (
	golang.org/x/net v0.22.0
	golang.org/x/text v0.14.0
	"github.com/Masterminds/semver/v3" v3.2.1
	github.com/pkg/errors v0.9.1
	example.com/internal/tools v1.0.0 // indirect
)

replace (
	// Any version of x/net goes to the fork, but v0.22.0 has its own.
	golang.org/x/net => example.com/fork/net v0.23.0-fork
	golang.org/x/net v0.22.0 => example.com/fork/net v0.22.1-fork
	// Replacing another version of x/text than the required one does nothing.
	golang.org/x/text v0.13.0 => example.com/fork/text v0.13.1
	github.com/Masterminds/semver/v3 v3.2.1 => github.com/Masterminds/semver/v3 v3.2.0
	example.com/internal/tools => ./tools
	github.com/not/required => github.com/other/fork v1.0.0
)

replace github.com/pkg/errors => /opt/forks/errors
