FROM golang:1.22 AS build
RUN apt-get update && apt-get install -y --no-install-recommends make
COPY . /src
RUN make -C /src build
FROM gcr.io/distroless/static:nonroot
COPY --from=build /src/app /app
USER 10001
HEALTHCHECK CMD ["/app", "health"]
ENTRYPOINT ["/app"]
