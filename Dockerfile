# communityd in a container: built in one stage, run as a non-root user in a
# small one. The database lives in the /var/lib/communityd volume.
#   docker build -t communityd .
#   docker run -d -p 8080:8080 -v communityd-data:/var/lib/communityd \
#     -e COMMUNITYD_PUBLIC_URL=https://communities.example.com communityd
#   docker exec <container> communityd tenant create --name Contoso --admin-email admin@contoso.example
#   docker exec <container> communityd backup /var/lib/communityd/backup.redb

FROM rust:1-slim-bookworm AS build
WORKDIR /src
COPY Cargo.toml Cargo.lock ./
COPY src src
COPY templates templates
COPY config config
COPY static static
COPY benches benches
RUN cargo build --release --locked --bin communityd

FROM debian:bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --user-group --home-dir /var/lib/communityd --shell /usr/sbin/nologin communityd \
 && install -d -o communityd -g communityd -m 0700 /var/lib/communityd
COPY --from=build /src/target/release/communityd /usr/local/bin/communityd
USER communityd
ENV COMMUNITYD_DATA_DIR=/var/lib/communityd \
    COMMUNITYD_BIND=0.0.0.0:8080 \
    COMMUNITYD_LOG_FORMAT=json
VOLUME ["/var/lib/communityd"]
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=5s --start-period=10s --retries=3 \
  CMD ["communityd", "health"]
STOPSIGNAL SIGTERM
ENTRYPOINT ["communityd"]
CMD ["serve"]
