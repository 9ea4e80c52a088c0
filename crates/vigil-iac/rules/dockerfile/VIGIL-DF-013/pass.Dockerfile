FROM golang:1.22 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -o /out/app ./cmd/app
FROM gcr.io/distroless/static:nonroot
COPY --from=build /out/app /app
USER 10001
EXPOSE 8080
HEALTHCHECK CMD ["/app", "health"]
ENTRYPOINT ["/app"]
