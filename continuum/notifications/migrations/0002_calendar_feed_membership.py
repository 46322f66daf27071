"""A calendar link belongs to the membership and roles that allowed it, and ends with
them. Existing links are tied to their user's membership in the organization; a link
whose user no longer has one is removed."""

import django.contrib.postgres.fields
import django.db.models.deletion
from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def tie_to_memberships(apps, schema_editor):
    CalendarFeed = apps.get_model("notifications", "CalendarFeed")
    Membership = apps.get_model("tenancy", "Membership")
    own = Membership.objects.filter(
        organization_id=OuterRef("organization_id"), user_id=OuterRef("user_id")
    )
    feeds = CalendarFeed._base_manager.all()
    feeds.update(
        membership_id=Subquery(own.values("pk")[:1]),
        roles=Subquery(own.values("roles")[:1]),
    )
    # A link no membership allows could never serve again; its creation stays in the
    # audit trail.
    feeds.filter(membership_id__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0001_initial"),
        ("tenancy", "0003_session_and_emergency_settings"),
    ]

    operations = [
        migrations.AddField(
            model_name="calendarfeed",
            name="membership",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="tenancy.membership",
            ),
        ),
        migrations.AddField(
            model_name="calendarfeed",
            name="roles",
            field=django.contrib.postgres.fields.ArrayField(
                base_field=models.CharField(max_length=32), default=list, null=True, size=None
            ),
        ),
        migrations.RunPython(tie_to_memberships, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="calendarfeed",
            name="membership",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="tenancy.membership",
            ),
        ),
        migrations.AlterField(
            model_name="calendarfeed",
            name="roles",
            field=django.contrib.postgres.fields.ArrayField(
                base_field=models.CharField(max_length=32), default=list, size=None
            ),
        ),
    ]
