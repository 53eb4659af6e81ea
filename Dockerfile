# syntax=docker/dockerfile:1
# toy-factory: toys-server by default, toyctl on request (`docker run IMAGE toyctl list`).
#   docker build -t toy-factory .
#   docker run -p 50051:50051 -v toys-data:/data toy-factory
ARG PYTHON_IMAGE=python:3.12-slim

# ---- build: the locked runtime dependencies and the project, in a virtualenv ----------------
FROM ${PYTHON_IMAGE} AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1 \
    PYTHONDONTWRITEBYTECODE=1
RUN python -m venv /opt/toys
WORKDIR /src
# requirements.lock is `poetry export` of poetry.lock: exact versions with hashes, so this
# step installs the lock and nothing else, without Poetry or its resolver.
# The build backend comes locked the same way (requirements-build.lock), into its own venv.
COPY requirements.lock requirements-build.lock ./
RUN /opt/toys/bin/pip install --require-hashes --no-deps -r requirements.lock \
    && python -m venv /opt/build \
    && /opt/build/bin/pip install --require-hashes --no-deps -r requirements-build.lock
COPY pyproject.toml README.md ./
COPY toys ./toys
COPY cli ./cli
# A wheel built by the locked backend, installed with --no-deps: every dependency is in place.
RUN /opt/build/bin/pip wheel --no-build-isolation --no-deps --wheel-dir /tmp/wheels . \
    && /opt/toys/bin/pip install --no-deps /tmp/wheels/*.whl \
    && /opt/toys/bin/python -m compileall -q /opt/toys/lib

# ---- runtime: the virtualenv on a clean base, as an unprivileged user ----------------------
FROM ${PYTHON_IMAGE} AS runtime
LABEL org.opencontainers.image.title="toy-factory" \
      org.opencontainers.image.description="toys-server (gRPC and HTTP) and toyctl"
RUN groupadd --system --gid 10001 toys \
    && useradd --system --uid 10001 --gid toys --home-dir /data --no-create-home \
       --shell /usr/sbin/nologin toys \
    && mkdir /data \
    && chown toys:toys /data
COPY --from=build /opt/toys /opt/toys
ENV PATH=/opt/toys/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    TOYS_HOST=0.0.0.0 \
    TOYS_PORT=50051 \
    TOYS_HTTP_PORT=8080 \
    TOYS_DB=/data/toys.db \
    TOYS_SHUTDOWN_GRACE=5
USER 10001:10001
WORKDIR /data
VOLUME ["/data"]
EXPOSE 50051 8080
HEALTHCHECK --interval=10s --timeout=5s --start-period=5s --retries=3 \
    CMD ["toys-probe", "--timeout", "3"]
STOPSIGNAL SIGTERM
CMD ["toys-server"]
