FROM golang:1.22 AS build
RUN apt-get update && apt-get install -y --no-install-recommends make
COPY . /src
ADD --checksum=sha256:24454f830cdb571e2c4ad15481119c43b3cafd48dd869a9b2945d1036d1dc68d https://example.com/tool.tar.gz /tmp/
RUN make -C /src build
FROM gcr.io/distroless/static:nonroot
COPY --from=build /src/app /app
USER 10001
HEALTHCHECK CMD ["/app", "health"]
ENTRYPOINT ["/app"]
