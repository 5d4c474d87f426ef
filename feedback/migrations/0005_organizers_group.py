"""The "Organizers" group: what a staff organizer needs in the admin (README, "Admin"). Tick
"Staff status" and this group for an organizer: they see and change the rows of the events they
run (the admin scopes every list to them, ``events.admin.OrganizerScopedAdmin``), read the live
state, and never the site's accounts (``events.admin.UserAdmin``). No delete permission: events,
attendees and their data are removed through the app's own pages (erasure is the owner's)."""

from __future__ import annotations

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUP = "Organizers"

# (app, model): the actions the group may take on it.
PERMISSIONS = {
    ("events", "series"): ("view", "change"),
    ("events", "event"): ("view", "change"),
    ("events", "attendee"): ("view", "change"),
    ("events", "pairrule"): ("view", "change"),
    ("events", "logentry"): ("view",),
    ("pitches", "pitch"): ("view", "change"),
    ("rounds", "round"): ("view",),  # "End the selected rounds" needs only the view
    ("rounds", "table"): ("view",),
    ("rounds", "seat"): ("view",),
    ("feedback", "card"): ("view",),
    ("feedback", "introduction"): ("view",),
    ("feedback", "digest"): ("view", "change"),  # "Try again" (an action)
    ("conduct", "report"): ("view", "change"),
}


def create_group(apps, schema_editor):
    # Permissions are made after migrating (post_migrate): on a fresh database make them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _created = Group.objects.get_or_create(name=GROUP)
    for (app, model), actions in PERMISSIONS.items():
        for action in actions:
            group.permissions.add(
                Permission.objects.get(content_type__app_label=app, codename=f"{action}_{model}")
            )


def remove_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=GROUP).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("events", "0025_event_last_round_started"),
        ("pitches", "0003_wish_list"),
        ("rounds", "0003_last_round_started"),
        ("conduct", "0002_report_about_email_hash"),
        ("feedback", "0004_introduction_met_confirmed_by_both"),
    ]

    operations = [migrations.RunPython(create_group, remove_group)]
