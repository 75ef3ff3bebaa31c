# The emulator as a service container: `docker run -p 8080:8080 cesce-sandbox`.
# State lives in /data (a volume), so a restarted container keeps every tenant's world.
ARG BASE_IMAGE=python:3.12-slim
FROM ${BASE_IMAGE} AS builder

ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1
# The build backend comes from pyproject.toml's [build-system], read here so that the two never
# disagree; installing it on its own layer keeps it cached while the code changes.
COPY pyproject.toml /src/pyproject.toml
RUN python3 -m venv /opt/build \
 && python3 -c "import tomllib; print('\n'.join(tomllib.load(open('/src/pyproject.toml', 'rb'))['build-system']['requires']))" \
      > /opt/build/backend.txt \
 && /opt/build/bin/pip install -r /opt/build/backend.txt
WORKDIR /src
COPY README.md ./
COPY emulator emulator
COPY contract_tests contract_tests
COPY mocks mocks
COPY fixtures fixtures
RUN /opt/build/bin/pip wheel --no-deps --no-build-isolation --wheel-dir /dist .


FROM ${BASE_IMAGE}

ENV PATH=/opt/venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1
# Dependencies first, from pyproject.toml alone: a code change then rebuilds only the small
# layer that installs the wheel.
COPY pyproject.toml /tmp/pyproject.toml
# The PostgreSQL driver too (the "postgresql" extra): a replica of a shared emulator is this image.
RUN python3 -m venv /opt/venv \
 && python3 -c "import tomllib; p = tomllib.load(open('/tmp/pyproject.toml', 'rb'))['project']; print('\n'.join(p['dependencies'] + p['optional-dependencies']['postgresql']))" \
      > /tmp/requirements.txt \
 && pip install -r /tmp/requirements.txt \
 && rm /tmp/pyproject.toml /tmp/requirements.txt
COPY --from=builder /dist/ /tmp/dist/
RUN pip install --no-deps /tmp/dist/*.whl && rm -rf /tmp/dist
# What starting works out from the installed files (the OpenAPI document joined, the Sandbox
# Model's schema checks) is worked out once, here, and read at every start (emulator/memo.py).
ENV XDG_CACHE_HOME=/opt/cache
RUN python -c "from emulator import create_app; create_app()" && chmod -R a+rX /opt/cache

# A fixed uid, so a bind-mounted /data can be given to it on the host (chown 1000 ./state).
RUN groupadd --gid 1000 cesce \
 && useradd --uid 1000 --gid 1000 --home-dir /data --no-create-home --shell /usr/sbin/nologin cesce \
 && mkdir /data && chown 1000:1000 /data
VOLUME /data
WORKDIR /data
USER 1000:1000

# PORT is what container platforms set; CESCE_EMULATOR_PORT, if given, wins over it.
ENV CESCE_EMULATOR_HOST=0.0.0.0 \
    CESCE_EMULATOR_STATE=/data/cesce.sqlite3 \
    PORT=8080
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s --start-period=10s --retries=3 \
  CMD ["python", "-c", "import os, urllib.request; port = os.environ.get('CESCE_EMULATOR_PORT') or os.environ.get('PORT', '8080'); urllib.request.urlopen(f'http://127.0.0.1:{port}/_emulator/health', timeout=2)"]

# Exec form: the emulator is PID 1 and gets SIGTERM itself, finishing requests before it exits.
ENTRYPOINT ["cesce-emulator"]
CMD ["serve"]
