# Production image: gunicorn by default; docker-compose.yml runs the worker, beat and the
# one-shot migrations from the same image with other commands.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PORT=8000

WORKDIR /app

# Dependencies first, so a code change does not reinstall them.
COPY requirements.lock ./
RUN pip install --require-hashes -r requirements.lock

COPY . .

# Static files are baked into the image for whitenoise. Settings refuse to load without
# these variables when DEBUG is off; nothing connects to the database or broker here.
RUN SECRET_KEY=build-only-collectstatic-key-not-used-at-runtime-0123456789 \
    DEBUG=false \
    FIELD_ENCRYPTION_KEYS=build-only-not-a-key \
    DATABASE_URL=postgres://build@localhost/build \
    REDIS_URL=redis://localhost:6379/0 \
    python manage.py collectstatic --noinput -v 0

RUN useradd --create-home --uid 10001 continuum \
    && mkdir -p /app/.data /app/media \
    && chown continuum:continuum /app/.data /app/media
USER continuum

EXPOSE 8000

# gunicorn binds 0.0.0.0:$PORT when no --bind is given. The control socket is off because
# nothing in the container uses it.
CMD ["gunicorn", "continuum.wsgi:application", "--config", "continuum/gunicorn_conf.py", \
     "--workers", "2", "--access-logfile", "-", "--no-control-socket"]
