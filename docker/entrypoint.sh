#!/bin/sh
# Container entrypoint. The web server (gunicorn) first brings the database schema up to date and
# collects static files; the worker, beat and one-shot commands start directly, since compose
# starts them only once the web service is healthy, that is, migrated.
set -eu

if [ "${1:-}" = "gunicorn" ]; then
    python manage.py migrate --noinput
    # Already collected at build time; this picks up a STATIC_ROOT mounted as a volume.
    python manage.py collectstatic --noinput --verbosity 0
fi

exec "$@"
