"""A Django project on cookieseal sessions for the tests: in process with Django's
test client, and served by runserver on loopback (keyring, store, database and
cookie name then come from the environment)."""
import os

SECRET_KEY = "only-for-tests"
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver"]
INSTALLED_APPS = ["django.contrib.auth", "django.contrib.contenttypes",
                  "django.contrib.sessions", "django.contrib.messages"]
MIDDLEWARE = [
    "cookieseal.django.SessionMiddleware",  # in place of Django's
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
]
MESSAGE_STORAGE = "cookieseal.django.messages.FlashStorage"  # the flashes Flask shares
ROOT_URLCONF = "django_site.urls"
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3",
                         "NAME": os.environ.get("DJANGO_SITE_DB", ":memory:")}}
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"
USE_TZ = True
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast tests

SESSION_ENGINE = "cookieseal.django"
COOKIESEAL_KEYRING = os.environ.get("DJANGO_SITE_KEYRING")
COOKIESEAL_STORE = os.environ.get("DJANGO_SITE_STORE")
if os.environ.get("DJANGO_SITE_COOKIE"):  # to share the Flask app's cookie
    SESSION_COOKIE_NAME = os.environ["DJANGO_SITE_COOKIE"]
    SESSION_COOKIE_SECURE = True
