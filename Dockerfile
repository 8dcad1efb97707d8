# salesopt: one image for the web server, the Celery worker and beat (docker-compose.yml).
FROM python:3.11-slim

# PYTHONPATH: the source tree in /app, not the copy pip puts in site-packages, is the one
# imported, because settings find templates/, static/ and locale/ next to it.
# GUNICORN_CMD_ARGS: gunicorn 27 opens a control socket under $HOME by default; the app user's
# home is read-only and nobody manages gunicorn from inside the container.
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONPATH=/app \
    DJANGO_SETTINGS_MODULE=salesopt.settings.production \
    GUNICORN_CMD_ARGS=--no-control-socket

WORKDIR /app

RUN groupadd --system salesopt \
    && useradd --system --gid salesopt --home-dir /app --no-create-home salesopt

# Dependencies first, in their own layer, so a code change does not reinstall them.
COPY pyproject.toml ./
RUN python -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" \
        > /tmp/requirements.txt \
    && pip install -r /tmp/requirements.txt \
    && rm /tmp/requirements.txt

# The code belongs to root and is read-only for the app user; only media/ and staticfiles/ are
# writable (media/ is a volume shared with the worker, which reads uploaded CRM exports).
COPY . .
RUN pip install --no-deps . \
    && rm -rf build ./*.egg-info \
    && chmod 0755 docker/entrypoint.sh \
    && mkdir -p media staticfiles \
    && chown salesopt:salesopt media staticfiles

USER salesopt

# Production settings refuse to load without a real key and host list; these dummies exist for
# this one command and are not kept in the image.
RUN SECRET_KEY=build-only-collectstatic-key-not-used-at-runtime-0123456789abcdef \
    ALLOWED_HOSTS=build.invalid \
    python manage.py collectstatic --noinput --verbosity 0

EXPOSE 8000

ENTRYPOINT ["/app/docker/entrypoint.sh"]
CMD ["gunicorn", "salesopt.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3", "--timeout", "60"]
