"""Import a directory file from the command line: the same service as the page and the
API (services.import_job_create), run here rather than by a worker, with a progress bar.

    manage.py hsds_import ORG PATH [--actor EMAIL]
"""

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from continuum.tenancy.commands import organization_named
from continuum.tenancy.scoping import organization_scope
from referrals import selectors
from referrals.models import ImportStatus
from referrals.services import import_job_create, import_job_run

BAR_WIDTH = 30


class Command(BaseCommand):
    help = (
        "Import HSDS 3.0 JSON, the HSDS tabular package (.zip) or the spreadsheet template (.csv)."
    )

    def add_arguments(self, parser):
        parser.add_argument("organization", help="The organization's slug.")
        parser.add_argument("path", help="The file to import.")
        parser.add_argument("--actor", default="", help="E-mail of the admin the audit names.")

    def handle(self, *args, **options):
        organization = organization_named(
            options["organization"],
            missing=f"No organization {options['organization']!r}: give its slug, as in its URLs.",
        )
        path = Path(options["path"])
        if not path.is_file():
            raise CommandError(f"{path} is not a file.")
        actor = None
        if options["actor"]:
            actor = get_user_model().objects.filter(email__iexact=options["actor"]).first()
            if actor is None:
                raise CommandError(f"No user with the e-mail {options['actor']}.")
        with organization_scope(organization):
            try:
                job = import_job_create(
                    actor=actor,
                    organization=organization,
                    filename=path.name,
                    payload=path.read_bytes(),
                    enqueue=False,
                )
            except ValidationError as exc:
                raise CommandError(" ".join(exc.messages)) from None
            self.stdout.write(f"Reading {path.name} ...")
            job = import_job_run(job_id=job.pk, on_progress=self._bar)
            self._bar(job.processed, job.total)
            self.stdout.write("")
            self._report(job)
        if job.status != ImportStatus.SUCCEEDED:
            raise CommandError("Nothing was imported: correct the records above and run again.")

    def _bar(self, processed: int, total: int) -> None:
        done = round(BAR_WIDTH * processed / total) if total else BAR_WIDTH
        stream = self.stdout
        stream.write(f"\r[{'#' * done}{'.' * (BAR_WIDTH - done)}] {processed}/{total}", ending="")
        stream.flush()

    def _report(self, job) -> None:
        if job.status == ImportStatus.SUCCEEDED:
            self.stdout.write(
                self.style.SUCCESS(f"{job.created_count} created, {job.updated_count} updated.")
            )
        for error in job.errors:
            self.stdout.write(self.style.ERROR(f"{error['row']} {error['id']}: {error['reason']}"))
        for group in selectors.import_report(job):
            self.stdout.write(f"{group['count']:>6}  {group['label']}")
            for example in group["examples"]:
                self.stdout.write(f"        e.g. {example['row']}: {example['reason']}")
