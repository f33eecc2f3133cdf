from __future__ import annotations

import datetime as dt
import uuid

import factory
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.utils import timezone

from applications.constants import DossierState
from applications.demo import ensure_officials_group
from applications.models import Dossier, DossierPaper, Official, PersonalDocument
from procedures.constants import LevelCode, OnlineLevel
from procedures.models import AdministrativeLevel, Agency, Fee, Procedure, RequiredDocument

PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG_BYTES = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
JPEG_BYTES = b"\xff\xd8\xff\xe0" + b"\x00" * 32


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "portal.User"
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.vn")
    full_name = "Lê Thị Hoa"
    citizen_id = factory.Sequence(lambda n: f"0010900{n:05d}")
    phone = "+84987654321"
    address = "5 Trần Hưng Đạo, Hà Nội"
    password = factory.django.Password("correct horse battery staple")


class LevelFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AdministrativeLevel
        django_get_or_create = ("code",)

    code = LevelCode.COMMUNE
    name = "Cấp xã"


class AgencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agency

    code = factory.Sequence(lambda n: f"XA{n:03d}")
    name = factory.Sequence(lambda n: f"UBND phường Số {n}")
    level = factory.SubFactory(LevelFactory)


class ProcedureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Procedure
        skip_postgeneration_save = True

    code = factory.Sequence(lambda n: f"1.{n:06d}")
    name = "Đăng ký thành lập hộ kinh doanh"
    online_level = OnlineLevel.FULL
    processing_days = 3

    @factory.post_generation
    def agencies(self, create, extracted, **kwargs):
        if create:
            self.agencies.add(*(extracted or [AgencyFactory()]))


class RequiredDocumentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RequiredDocument

    procedure = factory.SubFactory(ProcedureFactory)
    order = factory.Sequence(int)
    name = "Giấy đề nghị đăng ký hộ kinh doanh"


class FeeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Fee

    procedure = factory.SubFactory(ProcedureFactory)
    amount = 50000


class OfficialFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Official
        skip_postgeneration_save = True

    user = factory.SubFactory(UserFactory, is_staff=True, full_name="Trần Văn Cán Bộ", citizen_id="")
    agency = factory.SubFactory(AgencyFactory)

    @factory.post_generation
    def in_group(self, create, extracted, **kwargs):
        if create and extracted is not False:
            group: Group = ensure_officials_group()
            self.user.groups.add(group)


class DossierFactory(factory.django.DjangoModelFactory):
    """A draft with the applicant filled in."""

    class Meta:
        model = Dossier

    procedure = factory.SubFactory(ProcedureFactory)
    agency = factory.LazyAttribute(lambda o: o.procedure.agencies.first())
    citizen = factory.SubFactory(UserFactory)
    applicant_name = factory.LazyAttribute(lambda o: o.citizen.full_name)
    applicant_citizen_id = factory.LazyAttribute(lambda o: o.citizen.citizen_id)
    applicant_phone = factory.LazyAttribute(lambda o: o.citizen.phone)
    applicant_address = factory.LazyAttribute(lambda o: o.citizen.address)
    applicant_email = factory.LazyAttribute(lambda o: o.citizen.email)
    state = DossierState.DRAFT


class SubmittedDossierFactory(DossierFactory):
    state = DossierState.SUBMITTED
    code = factory.LazyFunction(lambda: f"XA-{uuid.uuid4().hex[:10]}")
    submitted_at = factory.LazyFunction(timezone.now)
    received_at = factory.LazyFunction(timezone.now)
    processing_days = 3
    clock_started_on = factory.LazyFunction(timezone.localdate)
    appointment_date = factory.LazyFunction(lambda: timezone.localdate() + dt.timedelta(days=5))
    lookup_pin = "123456"


class NeedsSupplementDossierFactory(SubmittedDossierFactory):
    state = DossierState.NEEDS_SUPPLEMENT
    paused_at = factory.LazyFunction(timezone.now)
    supplement_request = "Bản sao CCCD"
    working_days_used = 1


class ValidatedDossierFactory(SubmittedDossierFactory):
    state = DossierState.VALIDATED
    validated_at = factory.LazyFunction(timezone.now)


class ProcessedDossierFactory(ValidatedDossierFactory):
    state = DossierState.PROCESSED
    processed_at = factory.LazyFunction(timezone.now)


class DeliveredDossierFactory(ProcessedDossierFactory):
    state = DossierState.DELIVERED
    delivered_at = factory.LazyFunction(timezone.now)
    delivery_channel = "counter"


class RejectedDossierFactory(SubmittedDossierFactory):
    state = DossierState.REJECTED
    rejection_reason = "Không đủ điều kiện"


class WithdrawnDossierFactory(DossierFactory):
    state = DossierState.WITHDRAWN


FACTORY_BY_STATE = {
    DossierState.DRAFT: DossierFactory,
    DossierState.SUBMITTED: SubmittedDossierFactory,
    DossierState.NEEDS_SUPPLEMENT: NeedsSupplementDossierFactory,
    DossierState.VALIDATED: ValidatedDossierFactory,
    DossierState.PROCESSED: ProcessedDossierFactory,
    DossierState.DELIVERED: DeliveredDossierFactory,
    DossierState.REJECTED: RejectedDossierFactory,
    DossierState.WITHDRAWN: WithdrawnDossierFactory,
}


class DossierPaperFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DossierPaper

    dossier = factory.SubFactory(DossierFactory)
    title = "Bản sao CCCD"
    file = factory.LazyFunction(lambda: ContentFile(PDF_BYTES, name=f"{uuid.uuid4().hex}.pdf"))
    uploaded_by = factory.LazyAttribute(lambda o: o.dossier.citizen)
    original_name = "cccd.pdf"
    size = len(PDF_BYTES)
    content_type = "application/pdf"
    sha256 = "0" * 64


class PersonalDocumentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PersonalDocument

    owner = factory.SubFactory(UserFactory)
    title = "Căn cước công dân"
    file = factory.LazyFunction(lambda: ContentFile(PDF_BYTES, name=f"{uuid.uuid4().hex}.pdf"))
    original_name = "cccd.pdf"
    size = len(PDF_BYTES)
    content_type = "application/pdf"
    sha256 = "0" * 64
