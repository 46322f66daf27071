from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from continuum.tenancy.models import Organization, Role
from continuum.tenancy.scoping import organization_scope
from continuum.tenancy.services import invitation_create


class Command(BaseCommand):
    help = "Create an organization and e-mail its first admin an invitation."

    def add_arguments(self, parser):
        parser.add_argument("slug")
        parser.add_argument("name")
        parser.add_argument("--admin-email", required=True)
        parser.add_argument(
            "--operator-email", required=True, help="The platform operator creating it (audited)."
        )

    @transaction.atomic
    def handle(self, *args, slug, name, admin_email, operator_email, **options):
        operator = (
            get_user_model().objects.filter(email__iexact=operator_email, is_staff=True).first()
        )
        if operator is None:
            raise CommandError(f"No platform operator with e-mail {operator_email}.")
        organization = Organization(slug=slug, name=name)
        try:
            organization.full_clean()
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        organization.save()
        with organization_scope(organization):
            invitation_create(
                actor=operator, organization=organization, email=admin_email, roles=[Role.ORG_ADMIN]
            )
        self.stdout.write(self.style.SUCCESS(f"Created {slug}; invitation sent to {admin_email}."))
