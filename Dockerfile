# LeadCRM application image. The web app (gunicorn), the Celery worker and Celery beat all
# run from it; docker-compose.yml picks the command.
FROM python:3.12-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_SETTINGS_MODULE=leadcrm.settings.production

# gettext: compilemessages turns the .po translations into .mo files.
RUN apt-get update \
    && apt-get install -y --no-install-recommends gettext \
    && rm -rf /var/lib/apt/lists/*

RUN useradd --system --user-group --create-home --home-dir /home/app --shell /usr/sbin/nologin app

WORKDIR /app

# The dependencies listed in pyproject.toml first, in their own layer, so that a code change
# does not reinstall them all.
COPY pyproject.toml ./
RUN python -c "import tomllib; deps = tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']; print('\n'.join(deps))" > /tmp/requirements.txt \
    && pip install -r /tmp/requirements.txt \
    && rm /tmp/requirements.txt

# Then the project itself.
COPY . .
RUN pip install --no-deps . && rm -rf build ./*.egg-info

# Translations and static files are built into the image. The production settings refuse to
# load without a long SECRET_KEY and ALLOWED_HOSTS: these build-time values are used only by
# these two commands and never at run time.
RUN export SECRET_KEY=build-only-not-secret-0123456789-abcdefghijklmnopqrstuvwxyz \
        ALLOWED_HOSTS=localhost \
    && if [ -d locale ]; then python manage.py compilemessages; fi \
    && python manage.py collectstatic --noinput

# Uploaded files (MEDIA_ROOT defaults to .data/media); docker-compose.yml mounts a volume here.
RUN mkdir -p /app/.data/media && chown app:app /app/.data/media

USER app
EXPOSE 8000
CMD ["gunicorn", "leadcrm.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3"]
