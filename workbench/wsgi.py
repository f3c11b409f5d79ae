import os

from django.core.wsgi import get_wsgi_application

from claims.request_guard import RequestGuard

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "workbench.settings.local")
# The guard answers requests Django could not even decode (a charset that is not a text codec)
# before Django's handler, whose own error page would read the query string with that charset.
application = RequestGuard(get_wsgi_application())
