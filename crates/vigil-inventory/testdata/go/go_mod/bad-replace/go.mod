module example.com/broken

require golang.org/x/net v0.22.0

replace golang.org/x/net v0.22.0 example.com/fork/net v0.22.1
