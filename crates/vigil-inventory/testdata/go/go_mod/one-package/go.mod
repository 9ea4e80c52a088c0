module example.com/one

require github.com/google/uuid v1.6.0
