# Redis and nginx from Debian's own packages, for deploy/compose/ (and for the container tests'
# run of deploy/k8s/redis.yaml): the same versions the tests run on the host, and nothing to
# pull but debian:bookworm-slim.

FROM debian:bookworm-slim AS redis
# uid and gid 999: the official redis image's user, which deploy/k8s/redis.yaml runs as.
RUN groupadd --system --gid 999 redis \
    && useradd --system --uid 999 --gid 999 --home-dir /data --no-create-home redis \
    && apt-get update \
    && apt-get install -y --no-install-recommends redis-server \
    && rm -rf /var/lib/apt/lists/* \
    && mkdir /data && chown redis:redis /data
USER 999:999
WORKDIR /data
EXPOSE 6379
# As in the official image: arguments after the image name go to redis-server.
ENTRYPOINT ["redis-server"]
CMD ["--protected-mode", "no", "--dir", "/data"]

FROM debian:bookworm-slim AS nginx
# Debian's default site would answer every request whose Host no other site names.
RUN apt-get update \
    && apt-get install -y --no-install-recommends nginx \
    && rm -rf /var/lib/apt/lists/* /etc/nginx/sites-enabled/default \
    && ln -sf /dev/stdout /var/log/nginx/access.log \
    && ln -sf /dev/stderr /var/log/nginx/error.log
EXPOSE 80
# SIGQUIT: finish the requests under way (nginx's graceful stop); SIGTERM would cut them.
STOPSIGNAL SIGQUIT
CMD ["nginx", "-g", "daemon off;"]
