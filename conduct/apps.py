from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConductConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "conduct"
    verbose_name = _("Conduct and safety")
