"""Demo officials: one for the agency that receives procedure 1.001612 (household business
registration) when the catalogue is loaded."""

from __future__ import annotations

from django.contrib.auth.models import Group, Permission

OFFICIALS_GROUP = "Cán bộ tiếp nhận"
OFFICIAL_PERMISSIONS = [
    ("applications", "view_dossier"),
    ("applications", "validate_dossier"),
    ("applications", "request_supplement_dossier"),
    ("applications", "reject_dossier"),
    ("applications", "process_dossier"),
    ("applications", "deliver_dossier"),
    ("applications", "view_dossierevent"),
    ("applications", "view_dossierpaper"),
    ("applications", "view_calendarexception"),
    ("applications", "add_calendarexception"),
    ("applications", "change_calendarexception"),
    # The same desk sees the fees of its dossiers; refunds need a permission of their own.
    ("payments", "view_payment"),
    ("payments", "view_receipt"),
    ("payments", "view_paymentnotification"),
    # ... and the shipments of its results (the delivery app's permissions).
    ("delivery", "view_shipment"),
    ("delivery", "view_shipmentevent"),
    ("delivery", "view_deliveryrequest"),
    ("delivery", "view_tariffrate"),
    ("delivery", "change_tariffrate"),
    ("delivery", "view_deliveryorigin"),
]
DEMO_OFFICIAL = {
    "role": "official (Cán bộ tiếp nhận)",
    "email": "canbo@example.vn",
    "password": "demo-canbo-2026",
    "full_name": "Trần Thị Bình",
    "is_staff": True,
}
DEMO_PROCEDURE_CODE = "1.001612"


def ensure_officials_group() -> Group:
    group, _created = Group.objects.get_or_create(name=OFFICIALS_GROUP)
    query = None
    from django.db.models import Q

    for app_label, codename in OFFICIAL_PERMISSIONS:
        q = Q(content_type__app_label=app_label, codename=codename)
        query = q if query is None else query | q
    group.permissions.add(*Permission.objects.filter(query))
    return group


def ensure_demo_officials(ensure_user) -> int:
    """Create the demo official when the demo procedure and its agency exist; returns how many
    accounts were created."""
    from applications.models import Official
    from procedures.models import Procedure

    group = ensure_officials_group()
    procedure = Procedure.objects.filter(code=DEMO_PROCEDURE_CODE).first()
    agency = procedure.agencies.filter(is_active=True).first() if procedure else None
    if agency is None:
        return 0
    user, created = ensure_user(DEMO_OFFICIAL)
    user.groups.add(group)
    Official.objects.get_or_create(user=user, defaults={"agency": agency, "position": "Cán bộ một cửa"})
    return int(created)
