from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PitchesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "pitches"
    verbose_name = _("Pitches")
